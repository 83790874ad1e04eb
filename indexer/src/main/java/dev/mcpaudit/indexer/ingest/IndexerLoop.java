package dev.mcpaudit.indexer.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.indexer.store.RecordKey;
import dev.mcpaudit.indexer.store.StoredVersion;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.event.EventCodec;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Kafka to Lucene. Polls the decisions topic, indexes each poll's records on the worker threads,
 * sends what cannot be indexed to the dead-letter topic, and commits the index with the offsets it
 * reached. On start and on every assignment it seeks to the offsets in the index commit, never to
 * the group's; before giving partitions away it commits. Errors are sorted the Kafka way: a bad
 * record is data (dead letter, go on); a failing index or dead-letter topic is fatal (stop without
 * committing; the next start resumes from the last commit).
 */
public final class IndexerLoop implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexerLoop.class);

  /**
   * Writes not yet visible to search are remembered whole until a refresh; past this many the loop
   * refreshes itself.
   */
  static final int MAX_UNREFRESHED = 100_000;

  private final IndexerConfig config;
  private final EventIndex index;
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
  private final EventCodec codec;
  private final Stamps stamps;

  /** Next offset to read per "topic:partition": of every partition this index ever saw. */
  private final Map<String, Long> nextOffsets = new HashMap<>();

  private volatile boolean running = true;
  private volatile Throwable fatal;
  private volatile boolean commitRequested;
  private long lastCommit = System.nanoTime();
  private boolean dirty;

  public IndexerLoop(IndexerConfig config, EventIndex index, IndexerMetrics metrics, Clock clock) {
    this.config = config;
    this.index = index;
    this.metrics = metrics;
    this.clock = clock;
    this.codec =
        new EventCodec(
            new EventValidator(
                clock, EventValidator.MAX_STORED_EVENT_BYTES, config.maxFutureSkew()));
    this.stamps = config.stamps();
    this.nextOffsets.putAll(index.committedOffsets());
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
    try {
      consumer.subscribe(List.of(config.topics().decisions()), new Rebalance());
      while (running) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        if (!records.isEmpty()) {
          process(records);
          dirty = true;
          if (index.unrefreshedWrites() > MAX_UNREFRESHED) {
            index.refresh(); // no batch is open here; bounds the memory of writes the reader cannot
            // see yet
          }
        }
        if (commitRequested
            || (dirty && System.nanoTime() - lastCommit >= config.commitInterval().toNanos())) {
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
    }
  }

  /**
   * A record that passed the contract, with its key and document, waiting for its write-once check.
   */
  private record Admitted(
      ConsumerRecord<byte[], byte[]> record,
      JsonNode tree,
      byte[] value,
      RecordKey key,
      Document doc) {}

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
    List<Future<?>> writes = new ArrayList<>(lanes);
    for (int lane = 0; lane < lanes; lane++) {
      int l = lane;
      writes.add(workers.submit(() -> write(bySlice, l, now)));
    }
    for (Future<?> f : writes) {
      f.get();
    }
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> recs = records.records(tp);
      nextOffsets.put(key(tp), recs.get(recs.size() - 1).offset() + 1);
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
      byLane
          .get(Math.floorMod(key.hashCode(), lanes))
          .add(new Admitted(r, judged.tree(), judged.value(), key, doc));
    }
    metrics.deadLettered.increment(dead);
    metrics.unprovenSystem.increment(unproven);
    metrics.claimsRemoved.increment(claimsRemoved);
    return byLane;
  }

  /**
   * Writes one lane's records, slice by slice in poll order: the first version of a record is kept.
   */
  private Void write(List<List<List<Admitted>>> bySlice, int lane, Instant now) throws IOException {
    int indexed = 0;
    int identical = 0;
    int conflicting = 0;
    try (EventIndex.Batch batch = index.batch()) {
      for (List<List<Admitted>> slice : bySlice) {
        for (Admitted a : slice.get(lane)) {
          StoredVersion first = batch.find(a.key());
          if (first == null) {
            ConsumerRecord<byte[], byte[]> r = a.record();
            batch.add(a.key(), a.doc(), new StoredVersion(a.value(), r.partition(), r.offset()));
            indexed++;
            continue;
          }
          JsonNode stored = Versions.parse(first.source());
          List<String> differs = Versions.differences(stored, a.tree());
          if (differs.isEmpty()) {
            identical++;
          } else {
            conflicting++;
            deadLetters.sendConflict(
                a.record(), Conflicts.error(a.key(), first, differs), first, now);
            deadLetters.sendAlert(
                config.topics().alerts(),
                a.key().eventId(),
                Conflicts.alert(a.key(), first, stored, a.record(), a.tree(), differs, now));
          }
        }
      }
    }
    metrics.indexed.increment(indexed);
    metrics.identical.increment(identical);
    metrics.conflicting.increment(conflicting);
    metrics.deadLettered.increment(conflicting);
    return null;
  }

  /**
   * Starts a commit of the offsets reached so far on the committer thread, unless one is still
   * running. Documents indexed while it runs may land in it too: that is safe, since the offsets
   * never claim more than the commit holds, and a record read again finds its committed first
   * version and is dropped as identical.
   */
  private void commitInBackground() throws Exception {
    if (commitInFlight != null) {
      if (!commitInFlight.isDone()) {
        return;
      }
      commitInFlight.get(); // rethrows a failed commit: fatal
    }
    Map<String, Long> snapshot = Map.copyOf(nextOffsets);
    commitInFlight =
        committer.submit(
            () -> {
              commitOffsets(snapshot);
              return null;
            });
    commitGroupOffsets(snapshot);
    lastCommit = System.nanoTime();
    dirty = false;
  }

  /** Dead letters acknowledged first, then the index with its offsets. */
  private void commitOffsets(Map<String, Long> offsets) throws Exception {
    long start = System.nanoTime();
    deadLetters.awaitAll();
    index.commit(offsets);
    metrics.commit.record(Duration.ofNanos(System.nanoTime() - start));
  }

  /** A synchronous commit (shutdown, partitions handed over): waits for one in flight first. */
  private void commit() throws Exception {
    if (commitInFlight != null) {
      commitInFlight.get();
      commitInFlight = null;
    }
    Map<String, Long> snapshot = Map.copyOf(nextOffsets);
    commitOffsets(snapshot);
    commitGroupOffsets(snapshot);
    lastCommit = System.nanoTime();
    dirty = false;
  }

  /** For lag tools only: where reading resumes is decided by the index commit. */
  private void commitGroupOffsets(Map<String, Long> offsets) {
    Map<TopicPartition, OffsetAndMetadata> group = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      Long next = offsets.get(key(tp));
      if (next != null) {
        group.put(tp, new OffsetAndMetadata(next));
      }
    }
    if (!group.isEmpty()) {
      consumer.commitAsync(group, null);
    }
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
      for (TopicPartition tp : partitions) {
        Long next = nextOffsets.get(key(tp));
        if (next == null) {
          consumer.seekToBeginning(List.of(tp));
        } else {
          consumer.seek(tp, next);
        }
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
