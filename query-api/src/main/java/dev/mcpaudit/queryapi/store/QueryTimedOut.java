package dev.mcpaudit.queryapi.store;

import java.time.Duration;

/** The question took longer than the request's time limit ({@code api.query-timeout}). */
public final class QueryTimedOut extends StoreException {
  private final Duration limit;

  public QueryTimedOut(Duration limit) {
    super(
        "the query ran longer than "
            + limit.toMillis()
            + " ms; narrow the time range or the query");
    this.limit = limit;
  }

  public Duration limit() {
    return limit;
  }
}
