package dev.mcpaudit.indexer.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.store.RecordKey;
import dev.mcpaudit.indexer.store.StoredVersion;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.evidence.LeafForm;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.ValidationError;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.lucene.document.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka to the index. Polls the decisions topic, admits each poll's records on the worker threads,
 * hands them to the {@link IndexSink}, sends what cannot be indexed to the dead-letter topic, and
 * commits the offsets it reached. With a sink that keeps offsets with its data (the Lucene index)
 * it seeks to those on start and on every assignment, never to the group's, and commits them with
 * the index; with one that does not (a cluster) it commits the group's offsets itself, only after
 * the writes that hold them were acknowledged. Before giving partitions away it commits. Errors are
 * sorted the Kafka way: a bad record is data (dead letter, go on); a failing index or dead-letter
 * topic is fatal (stop without committing; the next start resumes from the last commit).
 */
public final class IndexerLoop implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexerLoop.class);

  private final IndexerConfig config;
  private final IndexSink sink;

  /** Whether the sink keeps the offsets (Lucene) or Kafka's group does (a cluster). */
  private final boolean offsetsInSink;

  private final IndexerMetrics metrics;
  private final Clock clock;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final DeadLetters deadLetters;
  private final ExecutorService workers;

  /** Commits run here, beside indexing, so a commit's flush does not stall the stream. */
  private final ExecutorService committer =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("mcp-audit-indexer-commit").daemon(true).unstarted(r));

  private Future<?> commitInFlight;

  /** With a pipelined sink: the write in flight, and the offsets it reaches once acknowledged. */
  private Future<Long> pendingWrite;

  private Map<String, Long> pendingOffsets;

  /** Waiting longer than this for a write, the loop polls (paused) to keep its group membership. */
  private static final Duration KEEP_ALIVE_AFTER = Duration.ofSeconds(10);

  /** Where a pipelined sink's writes run while the loop reads and admits the next poll. */
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().name("mcp-audit-indexer-writer").daemon(true).unstarted(r));

  private final EventCodec codec;
  private final Stamps stamps;

  /** Whether stored records enter the evidence log (their leaf hashes are made on admission). */
  private final boolean evidence;

  /** Next offset to read per "topic:partition": of every partition this index ever saw. */
  private final Map<String, Long> nextOffsets = new HashMap<>();

  private volatile boolean running = true;
  private volatile Thread loopThread;
  private volatile Throwable fatal;
  private volatile boolean commitRequested;
  private long lastCommit = System.nanoTime();
  private boolean dirty;

  public IndexerLoop(IndexerConfig config, IndexSink sink, IndexerMetrics metrics, Clock clock) {
    this.config = config;
    this.sink = sink;
    this.metrics = metrics;
    this.clock = clock;
    this.codec =
        new EventCodec(
            new EventValidator(
                clock, EventValidator.MAX_STORED_EVENT_BYTES, config.maxFutureSkew()));
    this.stamps = config.stamps();
    this.evidence = config.evidence() != null;
    java.util.Optional<Map<String, Long>> stored = sink.storedOffsets();
    this.offsetsInSink = stored.isPresent();
    stored.ifPresent(nextOffsets::putAll);
    Map<String, Object> cfg = new HashMap<>();
    cfg.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    // Each indexer owns a shard; static membership gives a restarted one its partitions back
    // at once (and to no one else), instead of after the session timeout.
    cfg.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
    cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    cfg.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4000);
    cfg.put(
        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
        50); // latency to searchable, not throughput, bounds this
    cfg.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
    this.consumer =
        new KafkaConsumer<>(
            config.kafka().consumer("mcp-audit-indexer", cfg),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.deadLetters =
        new DeadLetters(
            config.kafka(), "mcp-audit-indexer-dlq", config.topics().deadLetter(), config.stamps());
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            config.threads(),
            r ->
                Thread.ofPlatform()
                    .name("mcp-audit-indexer-worker-" + n.incrementAndGet())
                    .daemon(true)
                    .unstarted(r));
  }

  /** Non-null once the loop stopped on an error it cannot go on from. */
  public Throwable fatalError() {
    return fatal;
  }

  @Override
  public void run() {
    loopThread = Thread.currentThread();
    try {
      consumer.subscribe(List.of(config.topics().decisions()), new Rebalance());
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty()) {
          process(records);
          dirty = true;
          sink.afterPoll();
        }
        collectWrite();
        boolean intervalPassed =
            System.nanoTime() - lastCommit >= config.commitInterval().toNanos();
        if (commitRequested || (intervalPassed && (dirty || sink.wantsCommit(clock.instant())))) {
          commitRequested = false;
          commitInBackground();
        }
        for (TopicPartition tp : consumer.assignment()) {
          consumer.currentLag(tp).ifPresent(l -> metrics.lag(tp.topic() + ":" + tp.partition(), l));
        }
      }
      commit();
    } catch (WakeupException e) {
      if (running) {
        fatal = e;
      } else {
        safeCommit();
      }
    } catch (Exception e) {
      fatal = e;
      log.error(
          "indexer stopped: the index keeps its last commit and resumes from it on restart", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      deadLetters.close();
      // shutdown, not shutdownNow: interrupting a thread inside Lucene would close the index's
      // files.
      workers.shutdown();
      committer.shutdown();
      writer.shutdown();
    }
  }

  /**
   * Indexes one poll in two parallel steps. Admission (parse, validate, build the document) runs on
   * balanced slices, whatever the partitions: a poll often brings mostly one partition. Writes run
   * on lanes by record key, each lane in poll order, so two versions of one record are judged by
   * one thread in the order Kafka gave them: the first one read is the record.
   */
  private void process(ConsumerRecords<byte[], byte[]> records) throws Exception {
    Instant now = clock.instant();
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
    records.forEach(all::add);
    int lanes = config.threads();
    int slices = Math.min(lanes, all.size());
    List<Future<List<List<Admitted>>>> admitted = new ArrayList<>(slices);
    for (int t = 0; t < slices; t++) {
      List<ConsumerRecord<byte[], byte[]>> slice =
          all.subList(t * all.size() / slices, (t + 1) * all.size() / slices);
      admitted.add(workers.submit(() -> admit(slice, now, lanes)));
    }
    List<List<List<Admitted>>> bySlice = new ArrayList<>(slices);
    for (Future<List<List<Admitted>>> f : admitted) {
      bySlice.add(f.get());
    }
    Map<String, Long> reached = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> recs = records.records(tp);
      reached.put(key(tp), recs.get(recs.size() - 1).offset() + 1);
    }
    if (sink.pipelined()) {
      awaitWrite(); // one write in flight at a time: the next lookups see the last one's records
      pendingOffsets = reached;
      pendingWrite = writer.submit(() -> sink.write(bySlice, lanes, now, judge, workers));
      return;
    }
    metrics.indexed.increment(sink.write(bySlice, lanes, now, judge, workers));
    if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused()); // the sink waited for its backend: read on
    }
    nextOffsets.putAll(reached);
  }

  /**
   * Waits for the write in flight, if any, keeping the consumer in its group meanwhile, then moves
   * the offsets past what it wrote: they never claim a record whose write was not acknowledged.
   */
  private void awaitWrite() throws Exception {
    if (pendingWrite == null) {
      return;
    }
    long waitingSince = System.nanoTime();
    while (true) {
      try {
        long indexed = pendingWrite.get(100, TimeUnit.MILLISECONDS);
        metrics.indexed.increment(indexed);
        nextOffsets.putAll(pendingOffsets);
        dirty = true; // a commit may have run while it was written: these offsets still need one
        break;
      } catch (TimeoutException stillWriting) {
        if (System.nanoTime() - waitingSince > KEEP_ALIVE_AFTER.toNanos()) {
          keepAlive(); // the backend is slow or away: stay in the group without reading on
        }
      } catch (ExecutionException e) {
        pendingWrite = null;
        pendingOffsets = null;
        if (!running && e.getCause() instanceof InterruptedException) {
          log.info(
              "stopping: the write in flight was given up; its records are read again on start");
          return;
        }
        throw e.getCause() instanceof Exception c ? c : e;
      }
    }
    pendingWrite = null;
    pendingOffsets = null;
    if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  /** The write in flight, done: its offsets move (on the loop thread, which owns them). */
  private void collectWrite() throws Exception {
    if (pendingWrite != null && pendingWrite.isDone()) {
      awaitWrite();
    }
  }

  /** Parses and validates a slice; what passes, sorted into lanes by record key, in slice order. */
  private List<List<Admitted>> admit(
      List<ConsumerRecord<byte[], byte[]>> recs, Instant now, int lanes) {
    long ingestedAt = now.toEpochMilli();
    List<List<Admitted>> byLane = new ArrayList<>(lanes);
    for (int l = 0; l < lanes; l++) {
      byLane.add(new ArrayList<>(recs.size() / lanes + 16));
    }
    int dead = 0;
    int unproven = 0;
    int claimsRemoved = 0;
    for (ConsumerRecord<byte[], byte[]> r : recs) {
      byte[] value = r.value();
      if (value == null || value.length == 0) {
        deadLetters.send(r, "(event): empty record; expected one JSON event", now);
        dead++;
        continue;
      }
      JsonNode tree;
      try {
        tree = EventCodec.mapper().readTree(value);
      } catch (IOException e) {
        deadLetters.send(r, ValidationError.malformed(e).toString(), now);
        dead++;
        continue;
      }
      List<ValidationError> errors = codec.check(tree, value.length);
      if (!errors.isEmpty()) {
        deadLetters.send(
            r,
            errors.stream().map(ValidationError::toString).collect(Collectors.joining("; ")),
            now);
        dead++;
        continue;
      }
      Arrival.Judged judged = Arrival.judge(stamps, r.headers(), tree, value);
      if (judged.refusal() != null) {
        deadLetters.send(r, judged.refusal(), now);
        dead++;
        unproven++;
        continue;
      }
      if (judged.claimsRemoved()) {
        claimsRemoved++;
      }
      RecordKey key =
          new RecordKey(tree.get("tenant").textValue(), tree.get("event_id").textValue());
      Document doc =
          IndexSchema.document(
              judged.tree(),
              judged.value(),
              new IndexSchema.Origin(r.partition(), r.offset(), ingestedAt, judged.provenance()));
      // The leaf hash is the costly part of the evidence log: made here, on the admission threads.
      byte[] leafHash =
          evidence
              ? LeafForm.hash(judged.value(), judged.provenance().kind(), judged.provenance().by())
              : null;
      byLane
          .get(Math.floorMod(key.hashCode(), lanes))
          .add(new Admitted(r, judged.tree(), judged.value(), key, doc, leafHash));
    }
    metrics.deadLettered.increment(dead);
    metrics.unprovenSystem.increment(unproven);
    metrics.claimsRemoved.increment(claimsRemoved);
    return byLane;
  }

  /** Judges later versions for every sink alike: identical ones are counted, others refused. */
  private final IndexSink.Judge judge =
      new IndexSink.Judge() {
        @Override
        public void duplicate(Admitted a, StoredVersion first, Instant now) {
          JsonNode stored = Versions.parse(first.source());
          List<String> differs = Versions.differences(stored, a.tree());
          if (differs.isEmpty()) {
            metrics.identical.increment();
            return;
          }
          metrics.conflicting.increment();
          metrics.deadLettered.increment();
          deadLetters.sendConflict(
              a.record(), Conflicts.error(a.key(), first, differs), first, now);
          deadLetters.sendAlert(
              config.topics().alerts(),
              a.key().eventId(),
              Conflicts.alert(a.key(), first, stored, a.record(), a.tree(), differs, now));
        }

        @Override
        public void refuse(Admitted a, String reason, Instant now) {
          metrics.deadLettered.increment();
          deadLetters.send(a.record(), reason, now);
        }

        @Override
        public void keepAlive() throws InterruptedException {
          if (!running) {
            throw new InterruptedException("the indexer is stopping");
          }
          if (Thread.currentThread() == loopThread) {
            IndexerLoop.this.keepAlive(); // the consumer is the loop thread's alone
          }
        }
      };

  /**
   * Starts a commit of the offsets reached so far on the committer thread, unless one is still
   * running. Documents indexed while it runs may land in it too: that is safe, since the offsets
   * never claim more than the commit holds, and a record read again finds its committed first
   * version and is dropped as identical.
   */
  private void commitInBackground() throws Exception {
    if (!offsetsInSink) {
      commit(); // the group's offsets: committed by the consumer, on this thread
      return;
    }
    if (commitInFlight != null) {
      if (!commitInFlight.isDone()) {
        return;
      }
      commitInFlight.get(); // rethrows a failed commit: fatal
    }
    Map<String, Long> snapshot = Map.copyOf(nextOffsets);
    IndexSink.Commit prepared = sink.prepareCommit(snapshot);
    commitInFlight =
        committer.submit(
            () -> {
              commitOffsets(prepared);
              return null;
            });
    commitGroupOffsets(snapshot);
    lastCommit = System.nanoTime();
    dirty = false;
  }

  /** Dead letters acknowledged first, then the index with its offsets. */
  private void commitOffsets(IndexSink.Commit prepared) throws Exception {
    long start = System.nanoTime();
    deadLetters.awaitAll();
    prepared.run();
    metrics.commit.record(Duration.ofNanos(System.nanoTime() - start));
  }

  /** A synchronous commit (shutdown, partitions handed over): waits for one in flight first. */
  private void commit() throws Exception {
    if (!running) {
      awaitWrite(); // stopping: what is being written is acknowledged first, or given up
    }
    if (commitInFlight != null) {
      commitInFlight.get();
      commitInFlight = null;
    }
    Map<String, Long> snapshot = Map.copyOf(nextOffsets);
    commitOffsets(sink.prepareCommit(snapshot));
    commitGroupOffsets(snapshot);
    lastCommit = System.nanoTime();
    dirty = false;
  }

  /**
   * The group's offsets. With offsets in the sink they are for lag tools only (asynchronous); else
   * they are where reading resumes, committed synchronously after everything before them was
   * acknowledged.
   */
  private void commitGroupOffsets(Map<String, Long> offsets) {
    Map<TopicPartition, OffsetAndMetadata> group = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      Long next = offsets.get(key(tp));
      if (next != null) {
        group.put(tp, new OffsetAndMetadata(next));
      }
    }
    if (group.isEmpty()) {
      return;
    }
    if (offsetsInSink) {
      consumer.commitAsync(group, null);
    } else {
      consumer.commitSync(group);
    }
  }

  /**
   * Keeps the consumer in its group while the sink waits for its backend: polls with every
   * partition paused. A rebalance inside that poll can assign partitions that are not paused yet;
   * their records are put back (seek to the first one) to be read after the wait.
   */
  private void keepAlive() {
    consumer.pause(consumer.assignment());
    ConsumerRecords<byte[], byte[]> stray = consumer.poll(Duration.ofMillis(100));
    for (TopicPartition tp : stray.partitions()) {
      consumer.seek(tp, stray.records(tp).get(0).offset());
    }
    consumer.pause(consumer.assignment());
  }

  private void safeCommit() {
    try {
      commit();
    } catch (Exception e) {
      fatal = e;
      log.error("final commit failed; the next start resumes from the previous commit", e);
    }
  }

  private static String key(TopicPartition tp) {
    return tp.topic() + ":" + tp.partition();
  }

  /** Asks for a commit on the next turn of the loop (retention deletes, for instance). */
  public void requestCommit() {
    commitRequested = true;
  }

  /** Stops polling and commits what was indexed; the loop thread ends soon after. */
  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Hand over cleanly: whoever gets these next resumes exactly where this index stopped.
      if (dirty) {
        try {
          commit();
        } catch (Exception e) {
          throw new IllegalStateException("commit before handing partitions over failed", e);
        }
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (offsetsInSink) {
        for (TopicPartition tp : partitions) {
          Long next = nextOffsets.get(key(tp));
          if (next == null) {
            consumer.seekToBeginning(List.of(tp));
          } else {
            consumer.seek(tp, next);
          }
        }
      } else {
        // The group's offsets decide; remember them for the log and the next commit.
        consumer
            .committed(new java.util.HashSet<>(partitions))
            .forEach(
                (tp, o) -> {
                  if (o != null) {
                    nextOffsets.put(key(tp), o.offset());
                  }
                });
      }
      try {
        sink.partitionsAssigned();
      } catch (Exception e) {
        throw new IllegalStateException("the index could not take over the partitions", e);
      }
      log.info(
          "indexer assigned partitions={} resume_at={}",
          partitions,
          partitions.stream()
              .collect(
                  Collectors.toMap(IndexerLoop::key, tp -> nextOffsets.getOrDefault(key(tp), 0L))));
    }
  }
}
