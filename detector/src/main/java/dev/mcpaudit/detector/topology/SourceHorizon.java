package dev.mcpaudit.detector.topology;

import java.util.HashMap;
import java.util.Map;

/**
 * How far every decisions-topic partition feeding a task has got, as its records say ({@link
 * Observation#watermark}): the horizon is the slowest one's, and state older than the horizon by a
 * rule's memory can go, because no partition can still deliver an on-time event that needs it. A
 * partition that has sent nothing for {@link #IDLE_MS} of wall-clock time no longer holds the
 * horizon back (it may have nothing for this task); its next record counts again.
 */
final class SourceHorizon {
  static final long IDLE_MS = 5 * 60_000L;

  private record Seen(long watermark, long wallMs) {}

  private final Map<Integer, Seen> partitions = new HashMap<>();

  void observe(int partition, long watermark, long wallMs) {
    partitions.merge(
        partition,
        new Seen(watermark, wallMs),
        (a, b) -> new Seen(Math.max(a.watermark(), b.watermark()), b.wallMs()));
  }

  /** The slowest active partition's time; {@code Long.MIN_VALUE} before any record. */
  long horizon(long wallMs) {
    long h = Long.MAX_VALUE;
    boolean any = false;
    for (Seen s : partitions.values()) {
      if (wallMs - s.wallMs() <= IDLE_MS) {
        h = Math.min(h, s.watermark());
        any = true;
      }
    }
    return any ? h : Long.MIN_VALUE;
  }
}
