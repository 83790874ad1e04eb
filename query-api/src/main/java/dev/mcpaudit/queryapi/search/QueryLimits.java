package dev.mcpaudit.queryapi.search;

import dev.mcpaudit.rules.query.TermPolicy;
import java.time.Duration;

/**
 * What one request may cost. A runaway query gets a 400 (too many clauses, a term that would walk a
 * whole dictionary) or a 503 (past the timeout) with a message, never a hung server.
 *
 * @param timeout longest a query may run, rewriting and term enumeration included ({@code
 *     api.query-timeout})
 * @param maxClauses most boolean clauses a query may have, after wildcard and range expansion
 *     ({@code api.max-clauses}; process-wide in Lucene)
 * @param terms the rules for wildcards, prefixes, fuzzy terms, regular expressions and ranges; see
 *     {@link TermPolicy}
 * @param cursorKey seals {@code next_cursor} ({@code api.cursor-key}; random per process by
 *     default)
 * @param admission how many searches run at once, per caller and in all; see {@link
 *     SearchGate.Limits}
 */
public record QueryLimits(
    Duration timeout,
    int maxClauses,
    TermPolicy terms,
    CursorKey cursorKey,
    SearchGate.Limits admission) {
  public static QueryLimits defaults(Duration timeout) {
    return new QueryLimits(
        timeout, 1024, TermPolicy.DEFAULT, CursorKey.random(), SearchGate.Limits.forThisMachine());
  }
}
