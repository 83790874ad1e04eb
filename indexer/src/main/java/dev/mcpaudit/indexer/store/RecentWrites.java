package dev.mcpaudit.indexer.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Records written since the last near-real-time refresh: the index's reader cannot see them yet, so
 * a second version arriving meanwhile is judged against this map. An entry leaves only once a
 * reader that holds it is installed and no batch still searches an older one.
 *
 * <p>Batches of writes hold the read lock for their whole life (their reader is acquired at the
 * start). A refresh closes a generation under the write lock, so every write of that generation has
 * completed before the refresh reads the writer; it prunes that generation under the write lock
 * again, when no batch holds a reader from before the refresh.
 */
final class RecentWrites {
  private record Entry(StoredVersion version, long generation) {}

  private final ConcurrentHashMap<RecordKey, Entry> entries = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** Changes only under the write lock, so a batch (under the read lock) sees one value. */
  private volatile long generation;

  void beginBatch() {
    lock.readLock().lock();
  }

  void endBatch() {
    lock.readLock().unlock();
  }

  StoredVersion get(RecordKey key) {
    Entry e = entries.get(key);
    return e == null ? null : e.version();
  }

  /** Called inside a batch, after the document was handed to the writer. */
  void put(RecordKey key, StoredVersion version) {
    entries.put(key, new Entry(version, generation));
  }

  int size() {
    return entries.size();
  }

  /** Closes the current generation: every write in it has completed when this returns. */
  long closeGeneration() {
    lock.writeLock().lock();
    try {
      return generation++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Forgets writes of generations up to {@code closed}, now that the installed reader holds them.
   */
  void forget(long closed) {
    lock.writeLock().lock();
    try {
      entries.values().removeIf(e -> e.generation() <= closed);
    } finally {
      lock.writeLock().unlock();
    }
  }
}
