package dev.mcpaudit.queryapi.store;

/**
 * The caller's question cannot be answered as asked: a query that does not parse or is too broad, a
 * bad time window, a cursor this API did not issue. The message starts with the parameter at fault
 * ({@code q: …}, {@code cursor: …}, {@code from: …}).
 */
public final class InvalidQuery extends StoreException {
  public InvalidQuery(String detail) {
    super(detail);
  }
}
