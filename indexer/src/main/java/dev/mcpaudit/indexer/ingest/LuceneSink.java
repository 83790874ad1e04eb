package dev.mcpaudit.indexer.ingest;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.indexer.evidence.CheckpointPublisher;
import dev.mcpaudit.indexer.evidence.EvidenceLog;
import dev.mcpaudit.indexer.evidence.LogWriter;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.indexer.store.RecordKey;
import dev.mcpaudit.indexer.store.StoredVersion;
import dev.mcpaudit.schema.evidence.LeafForm;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.lucene.document.StoredField;

/**
 * The Lucene index beside the indexer: writes run on lanes by record key, each lane in poll order,
 * so two versions of one record are judged by one thread in the order Kafka gave them. Offsets are
 * part of each index commit, so the index and where it resumes never disagree.
 *
 * <p>With the evidence log on (README, "Verifiable evidence"), a poll is written in three steps:
 * the lanes judge which records are first versions; the loop thread appends those to their logs in
 * offset order per partition and gives each document its leaf index; the lanes add the documents. A
 * record read again after a crash whose document the commit already held (a commit may hold
 * documents past its offsets) enters its log again at the leaf it holds, which replay in Kafka's
 * order reaches exactly.
 */
public final class LuceneSink implements IndexSink {
  /**
   * Writes not yet visible to search are remembered whole until a refresh; past this many the loop
   * refreshes itself.
   */
  static final int MAX_UNREFRESHED = 100_000;

  private final EventIndex index;
  private final EvidenceLog evidence;
  private final CheckpointPublisher publisher;
  private final Clock clock;

  public LuceneSink(EventIndex index) {
    this(index, null, null, Clock.systemUTC());
  }

  /** With the evidence log on: {@code evidence} and {@code publisher} both given. */
  public LuceneSink(
      EventIndex index, EvidenceLog evidence, CheckpointPublisher publisher, Clock clock) {
    this.index = index;
    this.evidence = evidence;
    this.publisher = publisher;
    this.clock = clock;
    if (publisher != null) {
      publisher.publish(evidence.committedLatest()); // a crash may have come before publishing
    }
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
    if (evidence != null) {
      return writeWithEvidence(bySlice, lanes, now, judge, workers);
    }
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

  /**
   * A record that enters its log in this poll: a new first version, or this very record stored
   * before a crash ({@code stored}), which enters again with the leaf of what is stored.
   */
  private record Entry(Admitted a, StoredVersion stored) {
    boolean isNew() {
      return stored == null;
    }

    long storedLeaf() {
      return stored == null ? -1 : stored.leaf();
    }

    byte[] leafHash() {
      if (stored == null) {
        return a.leafHash();
      }
      // As stored, not as read again: a stamp key changed meanwhile must not change the leaf.
      Provenance p = stored.provenance() == null ? Provenance.kafka() : stored.provenance();
      return LeafForm.hash(stored.source(), p.kind(), p.by());
    }
  }

  private long writeWithEvidence(
      List<List<List<Admitted>>> bySlice,
      int lanes,
      Instant now,
      Judge judge,
      ExecutorService workers)
      throws Exception {
    List<Future<List<Entry>>> judged = new ArrayList<>(lanes);
    for (int lane = 0; lane < lanes; lane++) {
      int l = lane;
      judged.add(workers.submit(() -> judge(bySlice, l, now, judge)));
    }
    List<List<Entry>> byLane = new ArrayList<>(lanes);
    Map<LogId, List<Entry>> byLog = new TreeMap<>();
    for (Future<List<Entry>> f : judged) {
      List<Entry> entries = f.get();
      byLane.add(entries);
      for (Entry e : entries) {
        byLog
            .computeIfAbsent(
                new LogId(e.a.key().tenant(), e.a.record().partition()), k -> new ArrayList<>())
            .add(e);
      }
    }
    // Leaf indices in Kafka's order per log, here on the loop thread; the hashing of the tree
    // runs below, beside the documents' adds, one task per log.
    List<Future<Long>> adds = new ArrayList<>(lanes + byLog.size());
    for (Map.Entry<LogId, List<Entry>> log : byLog.entrySet()) {
      List<Entry> entries = log.getValue();
      entries.sort(Comparator.comparingLong(e -> e.a.record().offset()));
      LogWriter writer = evidence.growing(log.getKey());
      for (Entry e : entries) {
        long leaf = writer.reserve();
        if (!e.isNew() && e.storedLeaf() != leaf) {
          throw new IllegalStateException(
              "evidence log "
                  + log.getKey()
                  + " is at leaf "
                  + leaf
                  + ", but the stored record "
                  + e.a.key().eventId()
                  + " read again holds leaf "
                  + e.storedLeaf()
                  + ": the index and its log disagree");
        }
        if (e.isNew()) {
          e.a.doc().add(new StoredField(IndexSchema.EVIDENCE_LEAF, leaf));
          long position = IndexSchema.evidencePosition(log.getKey().partition(), leaf);
          e.a
              .doc()
              .add(
                  new org.apache.lucene.document.LongPoint(
                      IndexSchema.EVIDENCE_POSITION, position));
          e.a
              .doc()
              .add(
                  new org.apache.lucene.document.NumericDocValuesField(
                      IndexSchema.EVIDENCE_POSITION, position));
        }
      }
      adds.add(
          workers.submit(
              () -> {
                for (Entry e : entries) {
                  writer.append(e.leafHash());
                }
                return 0L;
              }));
    }
    for (List<Entry> entries : byLane) {
      adds.add(workers.submit(() -> add(entries)));
    }
    long indexed = 0;
    for (Future<Long> f : adds) {
      indexed += f.get();
    }
    return indexed;
  }

  /** Judges one lane: which records are first versions, and which were stored before a crash. */
  private List<Entry> judge(List<List<List<Admitted>>> bySlice, int lane, Instant now, Judge judge)
      throws IOException {
    List<Entry> out = new ArrayList<>();
    Map<RecordKey, Admitted> firstHere = new HashMap<>();
    try (EventIndex.Batch batch = index.batch()) {
      for (List<List<Admitted>> slice : bySlice) {
        for (Admitted a : slice.get(lane)) {
          Admitted earlier = firstHere.get(a.key());
          if (earlier != null) {
            judge.duplicate(a, earlier.asStored(), now);
            continue;
          }
          StoredVersion first = batch.find(a.key());
          if (first == null) {
            firstHere.put(a.key(), a);
            out.add(new Entry(a, null));
            continue;
          }
          if (first.leaf() >= 0
              && first.partition() == a.record().partition()
              && first.offset() == a.record().offset()) {
            out.add(new Entry(a, first)); // this very record, stored before a crash
          }
          judge.duplicate(a, first, now);
        }
      }
    }
    return out;
  }

  private long add(List<Entry> entries) throws IOException {
    long indexed = 0;
    try (EventIndex.Batch batch = index.batch()) {
      for (Entry e : entries) {
        if (e.isNew()) {
          batch.add(e.a.key(), e.a.doc(), e.a.asStored());
          indexed++;
        }
      }
    }
    return indexed;
  }

  @Override
  public void commit(Map<String, Long> offsets) throws Exception {
    prepareCommit(offsets).run();
  }

  @Override
  public boolean wantsCommit(Instant now) {
    return evidence != null && evidence.checkpointDue(now);
  }

  @Override
  public Commit prepareCommit(Map<String, Long> offsets) {
    if (evidence == null) {
      // The logs' positions stay in every commit while the log is off: turned on again, it goes on
      // from them instead of starting over (a fork of what was published).
      Map<String, String> kept = new java.util.HashMap<>();
      for (Map.Entry<String, String> e : index.committedUserData()) {
        if (dev.mcpaudit.index.evidence.LogId.fromCommitKey(e.getKey()) != null) {
          kept.put(e.getKey(), e.getValue());
        }
      }
      return () -> index.commit(offsets, kept);
    }
    EvidenceLog.Prepared prepared = evidence.prepare(clock.instant());
    return () -> {
      prepared.flush(); // the logs' files first: the commit must never claim more than they hold
      index.commit(offsets, prepared.userData());
      publisher.publish(prepared.made()); // only now: the commit holds every one of them
    };
  }

  @Override
  public void afterPoll() throws IOException {
    if (index.unrefreshedWrites() > MAX_UNREFRESHED) {
      index.refresh(); // bounds the memory of writes the reader cannot see yet
    }
  }

  @Override
  public void close() {
    if (publisher != null) {
      publisher.close();
    }
  }
}
