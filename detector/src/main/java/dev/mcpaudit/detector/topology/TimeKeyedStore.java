package dev.mcpaudit.detector.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Entries by key and event time in one key-value store, ordered by key then time (a range read is
 * one seek). An entry goes only when the rule's horizon (the slowest source partition's time,
 * {@link SourceHorizon}) has passed it by the retention: however far one partition runs ahead of
 * another while a backlog is worked off, nothing the slower one may still need is dropped, unlike a
 * window store, whose segments expire by the fastest partition's time.
 *
 * <p>Expiry sweeps the store a slice at a time, from where the last slice stopped, rather than
 * keeping a second store in time order: that index cost a changelog record per entry and another
 * per deletion. Each slice reads twice as many entries as were written since the last one, so a
 * whole sweep takes about half the retention and no entry outlives it by much more than that. Reads
 * are bounded by time, so an entry kept past its retention is never judged with.
 */
final class TimeKeyedStore<V> implements TimedStore<V> {
  private static final byte[] EMPTY = new byte[0];

  /** Entries a slice reads at least, and at most. */
  static final int MIN_SLICE = 10_000;

  static final int MAX_SLICE = 500_000;

  private final KeyValueStore<Bytes, byte[]> data;
  private final Serde<V> serde;
  private final long retentionMs;
  private Bytes cursor;
  private long putsSinceSlice;

  TimeKeyedStore(KeyValueStore<Bytes, byte[]> data, Serde<V> serde, long retentionMs) {
    this.data = data;
    this.serde = serde;
    this.retentionMs = retentionMs;
  }

  @Override
  public KeyCapacity.Read<V> read(
      String key, long from, long to, int capacity, DetectorMetrics metrics) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    List<KeyValue<Long, V>> out = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it =
        data.range(Bytes.wrap(dataKey(k, from, EMPTY)), Bytes.wrap(upTo(k, to)))) {
      while (out.size() < capacity && it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        long at = timeOf(kv.key.get(), 4 + k.length);
        out.add(KeyValue.pair(at, serde.deserializer().deserialize(null, kv.value)));
      }
    }
    metrics.stateReads(out.size());
    return new KeyCapacity.Read<>(out, out.size() >= capacity);
  }

  @Override
  public void put(String key, V value, long at, String suffix) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] s = suffix.getBytes(StandardCharsets.UTF_8);
    data.put(Bytes.wrap(dataKey(k, at, s)), serde.serializer().serialize(null, value));
    putsSinceSlice++;
  }

  /**
   * Sweeps the next slice of the store, removing entries older than {@code horizon} by more than
   * the retention, at most {@code max} of them (the slice then ends there).
   *
   * @return how many were removed
   */
  int expire(long horizon, int max) {
    if (horizon == Long.MIN_VALUE) {
      return 0;
    }
    long before = horizon - retentionMs;
    long slice = Math.min(MAX_SLICE, Math.max(MIN_SLICE, 2 * putsSinceSlice));
    putsSinceSlice = 0;
    List<Bytes> gone = new ArrayList<>();
    Bytes last = null;
    boolean wrapped;
    try (KeyValueIterator<Bytes, byte[]> it =
        cursor == null ? data.all() : data.range(cursor, null)) {
      for (long read = 0; read < slice && gone.size() < max && it.hasNext(); read++) {
        last = it.next().key;
        byte[] b = last.get();
        int len = ByteBuffer.wrap(b, 0, 4).getInt();
        if (timeOf(b, 4 + len) < before) {
          gone.add(last);
        }
      }
      wrapped = !it.hasNext();
    }
    // The next slice starts at this one's last key: read twice, which is harmless.
    cursor = wrapped ? null : last;
    for (Bytes key : gone) {
      data.delete(key);
    }
    return gone.size();
  }

  /** [key length][key][time][suffix]: one key's entries together, in time order. */
  private static byte[] dataKey(byte[] k, long at, byte[] suffix) {
    return ByteBuffer.allocate(4 + k.length + 8 + suffix.length)
        .putInt(k.length)
        .put(k)
        .putLong(at ^ Long.MIN_VALUE)
        .put(suffix)
        .array();
  }

  /** Past every entry of {@code k} at {@code to}, whatever its suffix. */
  private static byte[] upTo(byte[] k, long to) {
    return ByteBuffer.allocate(4 + k.length + 8 + 1)
        .putInt(k.length)
        .put(k)
        .putLong(to ^ Long.MIN_VALUE)
        .put((byte) 0xff)
        .array();
  }

  private static long timeOf(byte[] b, int offset) {
    return ByteBuffer.wrap(b, offset, 8).getLong() ^ Long.MIN_VALUE;
  }
}
