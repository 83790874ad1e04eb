package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Decisions per time bucket, empty buckets included, and when the first and last decision counted
 * happened (empty when none), so a client can choose a range that fits the data.
 */
public record Histogram(
    @JsonProperty("interval_ms") long intervalMs,
    List<Bucket> buckets,
    @JsonProperty("first_seen") Optional<Instant> firstSeen,
    @JsonProperty("last_seen") Optional<Instant> lastSeen) {

  /**
   * @param start the bucket's first millisecond since the epoch
   */
  public record Bucket(long start, long allow, long deny) {}
}
