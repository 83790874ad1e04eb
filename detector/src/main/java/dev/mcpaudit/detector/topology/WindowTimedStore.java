package dev.mcpaudit.detector.topology;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/** A window store as a {@link TimedStore}: its retention follows the task's stream time. */
record WindowTimedStore<V>(WindowStore<String, V> store) implements TimedStore<V> {
  @Override
  public KeyCapacity.Read<V> read(
      String key, long from, long to, int capacity, DetectorMetrics metrics) {
    List<KeyValue<Long, V>> out = new ArrayList<>();
    try (WindowStoreIterator<V> it = store.fetch(key, from, to)) {
      while (out.size() < capacity && it.hasNext()) {
        out.add(it.next());
      }
    }
    metrics.stateReads(out.size());
    return new KeyCapacity.Read<>(out, out.size() >= capacity);
  }

  @Override
  public void put(String key, V value, long at, String suffix) {
    store.put(key, value, at);
  }
}
