package dev.mcpaudit.detector.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Entries by key and event time in two key-value stores: {@code data} ordered by key then time (a
 * range read is one seek), {@code expiry} ordered by time then key. An entry goes only when the
 * rule's horizon (the slowest source partition's time, {@link SourceHorizon}) has passed it by the
 * retention: however far one partition runs ahead of another while a backlog is worked off, nothing
 * the slower one may still need is dropped, unlike a window store, whose segments expire by the
 * fastest partition's time.
 */
final class TimeKeyedStore<V> implements TimedStore<V> {
  private static final byte[] EMPTY = new byte[0];

  private final KeyValueStore<Bytes, byte[]> data;
  private final KeyValueStore<Bytes, byte[]> expiry;
  private final Serde<V> serde;
  private final long retentionMs;

  TimeKeyedStore(
      KeyValueStore<Bytes, byte[]> data,
      KeyValueStore<Bytes, byte[]> expiry,
      Serde<V> serde,
      long retentionMs) {
    this.data = data;
    this.expiry = expiry;
    this.serde = serde;
    this.retentionMs = retentionMs;
  }

  /** The expiry store's name for a data store. */
  static String expiryName(String dataStore) {
    return dataStore + "-expiry";
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
    expiry.put(Bytes.wrap(expiryKey(k, at, s)), EMPTY);
  }

  /**
   * Removes entries older than {@code horizon} by more than the retention, at most {@code max} of
   * them (the rest on the next call).
   *
   * @return how many were removed
   */
  int expire(long horizon, int max) {
    if (horizon == Long.MIN_VALUE) {
      return 0;
    }
    long before = horizon - retentionMs;
    List<Bytes> gone = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it =
        expiry.range(Bytes.wrap(time(Long.MIN_VALUE)), Bytes.wrap(time(before)))) {
      while (gone.size() < max && it.hasNext()) {
        gone.add(it.next().key);
      }
    }
    for (Bytes e : gone) {
      byte[] b = e.get();
      long at = timeOf(b, 0);
      if (at >= before) {
        continue; // the range's end is inclusive of this millisecond's entries
      }
      int len = ByteBuffer.wrap(b, 8, 4).getInt();
      byte[] k = Arrays.copyOfRange(b, 12, 12 + len);
      byte[] s = Arrays.copyOfRange(b, 12 + len, b.length);
      data.delete(Bytes.wrap(dataKey(k, at, s)));
      expiry.delete(e);
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

  /** [time][key length][key][suffix]: every key's entries in time order. */
  private static byte[] expiryKey(byte[] k, long at, byte[] suffix) {
    return ByteBuffer.allocate(8 + 4 + k.length + suffix.length)
        .putLong(at ^ Long.MIN_VALUE)
        .putInt(k.length)
        .put(k)
        .put(suffix)
        .array();
  }

  private static byte[] time(long at) {
    return ByteBuffer.allocate(8).putLong(at ^ Long.MIN_VALUE).array();
  }

  private static long timeOf(byte[] b, int offset) {
    return ByteBuffer.wrap(b, offset, 8).getLong() ^ Long.MIN_VALUE;
  }
}
