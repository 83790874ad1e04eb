package dev.mcpaudit.queryapi.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the requests refused before authentication, per source address, operation and reason, in
 * fixed windows aligned on the epoch (whole minutes by default). Each window ends as one tally per
 * key, so a flood costs one audit event per key and window, and every attempt is still counted. At
 * most {@code maxKeys} keys are kept per window; attempts past that go to one overflow bucket per
 * reason, so memory stays bounded whatever the addresses.
 */
final class RefusedRequests {
  static final String OVERFLOW_ADDRESS = "overflow";
  static final String OVERFLOW_ENDPOINT = "api.refused-overflow";

  record Key(String address, String endpoint, String reasonCode) {}

  /** One key's attempts in one window. */
  record Tally(
      Key key,
      long count,
      String firstReason,
      Instant first,
      Instant windowStart,
      Instant windowEnd) {}

  private static final class Count {
    long n;
    final String firstReason;
    final Instant first;

    Count(String firstReason, Instant first) {
      this.firstReason = firstReason;
      this.first = first;
    }
  }

  private final long windowMillis;
  private final int maxKeys;
  private Map<Key, Count> counts = new LinkedHashMap<>();
  private long windowStart = Long.MIN_VALUE;

  RefusedRequests(Duration window, int maxKeys) {
    this.windowMillis = Math.max(1, window.toMillis());
    this.maxKeys = maxKeys;
  }

  /** Counts one attempt; returns the tallies of a window that ended before it (usually none). */
  synchronized List<Tally> add(
      Instant now, String address, String endpoint, String reasonCode, String reason) {
    List<Tally> ended = rollIfDue(now);
    if (windowStart == Long.MIN_VALUE) {
      windowStart = Math.floorDiv(now.toEpochMilli(), windowMillis) * windowMillis;
    }
    Key key = new Key(address, endpoint, reasonCode);
    Count c = counts.get(key);
    if (c == null) {
      if (counts.size() >= maxKeys) {
        key = new Key(OVERFLOW_ADDRESS, OVERFLOW_ENDPOINT, reasonCode);
        c = counts.get(key);
      }
      if (c == null) {
        c = new Count(reason, now);
        counts.put(key, c);
      }
    }
    c.n++;
    return ended;
  }

  /** The tallies of the current window if it has ended by {@code now}. */
  synchronized List<Tally> rollIfDue(Instant now) {
    if (windowStart == Long.MIN_VALUE || now.toEpochMilli() < windowStart + windowMillis) {
      return List.of();
    }
    return drain();
  }

  /** Every tally held, whether its window has ended or not (at shutdown). */
  synchronized List<Tally> drain() {
    if (counts.isEmpty()) {
      windowStart = Long.MIN_VALUE;
      return List.of();
    }
    Instant start = Instant.ofEpochMilli(windowStart);
    Instant end = start.plusMillis(windowMillis);
    List<Tally> out = new ArrayList<>(counts.size());
    counts.forEach((k, c) -> out.add(new Tally(k, c.n, c.firstReason, c.first, start, end)));
    counts = new LinkedHashMap<>();
    windowStart = Long.MIN_VALUE;
    return out;
  }
}
