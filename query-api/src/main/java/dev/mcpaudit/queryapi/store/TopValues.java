package dev.mcpaudit.queryapi.store;

import dev.mcpaudit.index.IndexSchema;
import java.util.List;
import java.util.Set;

/** The most frequent values of one field among the matches, with their allow and deny counts. */
public record TopValues(String field, List<Bucket> buckets) {
  /** Fields top values may be asked of (README, "The query API"). */
  public static final Set<String> FIELDS =
      Set.of(
          IndexSchema.ACTOR_ID,
          IndexSchema.ACTOR_ON_BEHALF_OF,
          IndexSchema.TOOL_SERVER,
          IndexSchema.TOOL_NAME,
          IndexSchema.TOOL_METHOD,
          IndexSchema.REASON_CODE,
          IndexSchema.DECISION,
          IndexSchema.KIND,
          IndexSchema.SOURCE_GATEWAY,
          IndexSchema.SOURCE_WORKER,
          IndexSchema.HANDLE_ID,
          IndexSchema.POLICY_ID,
          IndexSchema.TENANT,
          IndexSchema.PROVENANCE);

  /**
   * Most distinct values one question may count. Counting is exact, so it needs a counter per
   * matched value; a query matching more is refused ({@link InvalidQuery}) instead of holding an
   * unbounded map.
   */
  public static final int MAX_VALUES = 100_000;

  /** Ordered by count, most first, then by value. */
  public record Bucket(String value, long count, long allow, long deny) {}
}
