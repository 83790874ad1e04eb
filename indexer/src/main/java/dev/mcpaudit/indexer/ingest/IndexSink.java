package dev.mcpaudit.indexer.ingest;

import dev.mcpaudit.indexer.store.StoredVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * Where the consumer loop writes what it admitted: the Lucene index beside the indexer, or an
 * OpenSearch cluster (docs/opensearch.md). A sink keeps the first version of every record and
 * reports each later one to the loop's {@link Judge}; the loop does the rest (dead letters, alerts,
 * metrics, offsets) the same way for both.
 */
public interface IndexSink extends AutoCloseable {
  /** What a sink tells the loop, and how it waits. */
  interface Judge {
    /** {@code incoming} names a record that already has {@code first} as its recorded version. */
    void duplicate(Admitted incoming, StoredVersion first, Instant now);

    /** {@code a} cannot be indexed, for {@code reason}: it goes to the dead-letter topic. */
    void refuse(Admitted a, String reason, Instant now);

    /**
     * Called between attempts while the backend cannot take writes: keeps the consumer in its group
     * without reading on.
     *
     * @throws InterruptedException when the loop is stopping: give up the poll unwritten
     */
    void keepAlive() throws InterruptedException;
  }

  /**
   * Where each partition resumes, when the sink keeps its offsets with its data (a Lucene commit);
   * empty when Kafka's consumer group keeps them.
   */
  Optional<Map<String, Long>> storedOffsets();

  /**
   * Writes one poll. {@code bySlice} holds the admitted records in poll order, cut into slices and
   * each slice into {@code lanes} lanes by record key; the first version read of a record is the
   * record.
   *
   * @return how many records were indexed
   */
  long write(
      List<List<List<Admitted>>> bySlice,
      int lanes,
      Instant now,
      Judge judge,
      ExecutorService workers)
      throws Exception;

  /**
   * Makes everything written so far durable, with the offsets it corresponds to when the sink keeps
   * them. Runs on the loop's commit thread (Lucene) or the loop thread (cluster).
   */
  void commit(Map<String, Long> offsets) throws Exception;

  /**
   * Whether the sink has something to make durable although nothing new was read (a checkpoint due
   * on an idle log): the loop then commits at its next interval.
   */
  default boolean wantsCommit(Instant now) {
    return false;
  }

  /** A commit taken on the loop thread and made durable on another. */
  @FunctionalInterface
  interface Commit {
    void run() throws Exception;
  }

  /**
   * Takes, on the loop thread and between writes, what the commit of {@code offsets} records
   * besides the index (the evidence logs' positions); the returned commit makes it durable.
   */
  default Commit prepareCommit(Map<String, Long> offsets) {
    return () -> commit(offsets);
  }

  /**
   * Whether the loop may read and admit the next poll while this one is written (on a thread of its
   * own, one write at a time): for a sink that waits on a remote system. Offsets still move only
   * past acknowledged writes.
   */
  default boolean pipelined() {
    return false;
  }

  /**
   * Called after each poll is handed over, on the loop thread (a pipelined write may be running).
   */
  default void afterPoll() throws Exception {}

  /** Partitions changed hands: writes of their previous owner must now be seen. */
  default void partitionsAssigned() throws Exception {}

  /** Why the sink cannot write now, if it cannot (the loop is then waiting on it). */
  default Optional<String> unavailable() {
    return Optional.empty();
  }

  @Override
  default void close() throws Exception {}
}
