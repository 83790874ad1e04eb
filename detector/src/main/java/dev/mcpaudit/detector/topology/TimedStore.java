package dev.mcpaudit.detector.topology;

/**
 * Entries of a key by event time, as the rules use them: read a range (bounded by a capacity, see
 * {@link KeyCapacity}) and add one. Two kinds: a window store, whose retention follows the task's
 * stream time, and a {@link TimeKeyedStore}, whose entries expire only once every source partition
 * has passed them.
 */
interface TimedStore<V> {
  KeyCapacity.Read<V> read(String key, long from, long to, int capacity, DetectorMetrics metrics);

  /**
   * @param suffix what tells apart two entries of one key at the same time (an event id)
   */
  void put(String key, V value, long at, String suffix);
}
