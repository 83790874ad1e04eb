package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.rules.query.SearchSyntax;
import dev.mcpaudit.rules.query.TermPolicy;
import org.apache.lucene.search.Query;

/** The search syntax ({@link SearchSyntax}) as the stores use it: a refusal is an InvalidQuery. */
public final class EventQueryParser {
  private EventQueryParser() {}

  /** {@code q} parsed under {@code policy}, or {@link InvalidQuery} with a message starting q:. */
  public static Query parse(String q, TermPolicy policy) {
    try {
      return SearchSyntax.parse(q, policy);
    } catch (SearchSyntax.Invalid e) {
      throw new InvalidQuery(e.getMessage());
    }
  }
}
