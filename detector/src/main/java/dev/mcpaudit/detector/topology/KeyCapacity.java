package dev.mcpaudit.detector.topology;

import java.util.List;
import org.apache.kafka.streams.KeyValue;

/**
 * How much one key may hold in a window store within the range a rule looks at, so that a key with
 * 100,000 events costs each new event what a key with ten does. Reads stop at the capacity (oldest
 * first); a rule stores a new entry only while the range it read is below capacity, and counts the
 * ones it did not keep. Capacities are far above what honest traffic puts on one key (a nonce is
 * used once, a handle sees a few lifecycle events a day), and a key that reaches one has already
 * raised its alert (README, "The detector", bounded work).
 */
final class KeyCapacity {
  /** Uses of one request nonce within the nonce memory. */
  static final int NONCE = 64;

  /** Lifecycle events of one handle within the handle memory: a rotation every 6 min for a day. */
  static final int HANDLE_FACTS = 256;

  /** Decisions of one handle within the range the consistency and late-fact checks read. */
  static final int HANDLE_DECISIONS = 64;

  /** Denies of one actor within two burst windows: twice the threshold settles any burst. */
  static int denies(int threshold) {
    return 2 * threshold;
  }

  private KeyCapacity() {}

  /** At most {@code capacity} entries, oldest first, and whether the range holds that many. */
  record Read<V>(List<KeyValue<Long, V>> entries, boolean full) {
    List<V> values() {
      return entries.stream().map(kv -> kv.value).toList();
    }
  }

  /** Stores {@code value} unless the range read was full; counts it when not kept. */
  static <V> void keep(
      TimedStore<V> store,
      String key,
      V value,
      long at,
      String suffix,
      Read<?> read,
      String storeName,
      DetectorMetrics metrics) {
    if (read.full()) {
      metrics.notKept(storeName);
    } else {
      store.put(key, value, at, suffix);
    }
  }
}
