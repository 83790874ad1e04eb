package dev.mcpaudit.indexer.ingest;

import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.indexer.store.StoredVersion;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The Lucene index beside the indexer: writes run on lanes by record key, each lane in poll order,
 * so two versions of one record are judged by one thread in the order Kafka gave them. Offsets are
 * part of each index commit, so the index and where it resumes never disagree.
 */
public final class LuceneSink implements IndexSink {
  /**
   * Writes not yet visible to search are remembered whole until a refresh; past this many the loop
   * refreshes itself.
   */
  static final int MAX_UNREFRESHED = 100_000;

  private final EventIndex index;

  public LuceneSink(EventIndex index) {
    this.index = index;
  }

  @Override
  public Optional<Map<String, Long>> storedOffsets() {
    return Optional.of(index.committedOffsets());
  }

  @Override
  public long write(
      List<List<List<Admitted>>> bySlice,
      int lanes,
      Instant now,
      Judge judge,
      ExecutorService workers)
      throws Exception {
    List<Future<Long>> writes = new ArrayList<>(lanes);
    for (int lane = 0; lane < lanes; lane++) {
      int l = lane;
      writes.add(workers.submit(() -> lane(bySlice, l, now, judge)));
    }
    long indexed = 0;
    for (Future<Long> f : writes) {
      indexed += f.get();
    }
    return indexed;
  }

  private long lane(List<List<List<Admitted>>> bySlice, int lane, Instant now, Judge judge)
      throws IOException {
    long indexed = 0;
    try (EventIndex.Batch batch = index.batch()) {
      for (List<List<Admitted>> slice : bySlice) {
        for (Admitted a : slice.get(lane)) {
          StoredVersion first = batch.find(a.key());
          if (first == null) {
            batch.add(a.key(), a.doc(), a.asStored());
            indexed++;
          } else {
            judge.duplicate(a, first, now);
          }
        }
      }
    }
    return indexed;
  }

  @Override
  public void commit(Map<String, Long> offsets) throws IOException {
    index.commit(offsets);
  }

  @Override
  public void afterPoll() throws IOException {
    if (index.unrefreshedWrites() > MAX_UNREFRESHED) {
      index.refresh(); // bounds the memory of writes the reader cannot see yet
    }
  }
}
