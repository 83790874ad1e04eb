package dev.mcpaudit.queryapi.store;

import java.util.Objects;

/**
 * Which events a question is about: the search syntax's {@code q} (blank for every event) within a
 * time window. The tenants come separately, from the request's {@link TenantScope}.
 *
 * @param q the query text as the caller wrote it (README, "Search syntax"); the store parses it and
 *     refuses what the term policy forbids with {@link InvalidQuery}
 */
public record EventQuery(String q, TimeRange range) {
  /** Longest query text accepted. */
  public static final int MAX_Q = 4096;

  public EventQuery {
    q = q == null ? "" : q;
    Objects.requireNonNull(range, "range");
    if (q.length() > MAX_Q) {
      throw new InvalidQuery("q: at most " + MAX_Q + " characters");
    }
  }

  public boolean matchesAll() {
    return q.isBlank();
  }
}
