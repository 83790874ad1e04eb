package dev.mcpaudit.queryapi.search;

/** A search: Lucene query text (may be blank), window, optional tenant, page size, cursor. */
public record SearchRequest(String q, TimeRange range, String tenant, int limit, String cursor) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 1000;
}
