package dev.mcpaudit.queryapi.search;

import dev.mcpaudit.queryapi.store.TimeRange;

/**
 * A search: Lucene query text (may be blank), window, page size, cursor; its tenants are the
 * request's scope.
 */
public record SearchRequest(String q, TimeRange range, int limit, String cursor) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 1000;
}
