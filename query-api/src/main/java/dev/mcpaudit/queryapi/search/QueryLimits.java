package dev.mcpaudit.queryapi.search;

import java.time.Duration;

/**
 * What one request may cost. A runaway query gets a 400 (too many clauses, a leading wildcard)
 * or a 503 (past the timeout) with a message, never a hung server.
 *
 * @param timeout longest a query may run ({@code api.query-timeout}, default 10s)
 * @param maxClauses most boolean clauses a query may have, after wildcard and range expansion
 *     ({@code api.max-clauses}, default 1024; process-wide in Lucene)
 * @param leadingWildcards whether {@code *suffix} terms are allowed: they scan every term of a
 *     field ({@code api.leading-wildcards}, default false)
 */
public record QueryLimits(Duration timeout, int maxClauses, boolean leadingWildcards) {
  public static QueryLimits defaults(Duration timeout) {
    return new QueryLimits(timeout, 1024, false);
  }
}
