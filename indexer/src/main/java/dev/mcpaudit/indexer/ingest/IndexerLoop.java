package dev.mcpaudit.indexer.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.schema.IndexSchema;
import dev.mcpaudit.indexer.store.EventIndex;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka to Lucene. Polls the decisions topic, indexes each poll's records on the worker threads,
 * sends what cannot be indexed to the dead-letter topic,
 * and commits the index with the offsets it reached. On start and on every assignment it seeks to
 * the offsets in the index commit, never to the group's; before giving partitions away it commits.
 * Errors are sorted the Kafka way: a bad record is data (dead letter, go on); a failing index or
 * dead-letter topic is fatal (stop without committing; the next start resumes from the last commit).
 */
public final class IndexerLoop implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexerLoop.class);

  private final IndexerConfig config;
  private final EventIndex index;
  private final IndexerMetrics metrics;
  private final Clock clock;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final DeadLetters deadLetters;
  private final ExecutorService workers;
  /** Commits run here, beside indexing, so a commit's flush does not stall the stream. */
  private final ExecutorService committer = Executors.newSingleThreadExecutor(
      r -> Thread.ofPlatform().name("mcp-audit-indexer-commit").daemon(true).unstarted(r));
  private Future<?> commitInFlight;
  private final EventCodec codec;
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
    this.codec = new EventCodec(new EventValidator(clock, EventValidator.MAX_STORED_EVENT_BYTES, config.maxFutureSkew()));
    this.nextOffsets.putAll(index.committedOffsets());
    Map<String, Object> cfg = new HashMap<>();
    cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    cfg.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    // Each indexer owns a shard; static membership gives a restarted one its partitions back
    // at once (and to no one else), instead of after the session timeout.
    cfg.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
    cfg.put(ConsumerConfig.CLIENT_ID_CONFIG, "mcp-audit-indexer");
    cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    cfg.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cfg.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4000);
    cfg.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50); // latency to searchable, not throughput, bounds this
    cfg.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
    this.consumer = new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.deadLetters = new DeadLetters(config.bootstrapServers(), config.topics().deadLetter());
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(config.threads(),
        r -> Thread.ofPlatform().name("mcp-audit-indexer-worker-" + n.incrementAndGet()).daemon(true).unstarted(r));
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
        }
        if (commitRequested || (dirty && System.nanoTime() - lastCommit >= config.commitInterval().toNanos())) {
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
      log.error("indexer stopped: the index keeps its last commit and resumes from it on restart", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      deadLetters.close();
      // shutdown, not shutdownNow: interrupting a thread inside Lucene would close the index's files.
      workers.shutdown();
      committer.shutdown();
    }
  }

  private void process(ConsumerRecords<byte[], byte[]> records) throws Exception {
    Instant now = clock.instant();
    // Balanced slices, whatever the partitions: a poll often brings mostly one partition, and
    // the index does not care about order (writes by event_id are atomic, the last one wins).
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
    records.forEach(all::add);
    int slices = Math.min(config.threads(), all.size());
    List<Future<?>> parts = new ArrayList<>(slices);
    for (int t = 0; t < slices; t++) {
      List<ConsumerRecord<byte[], byte[]>> slice = all.subList(t * all.size() / slices, (t + 1) * all.size() / slices);
      parts.add(workers.submit(() -> indexRecords(slice, now)));
    }
    for (Future<?> f : parts) {
      f.get();
    }
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> recs = records.records(tp);
      nextOffsets.put(key(tp), recs.get(recs.size() - 1).offset() + 1);
    }
  }

  private Void indexRecords(List<ConsumerRecord<byte[], byte[]>> recs, Instant now) throws IOException {
    long ingestedAt = now.toEpochMilli();
    int indexed = 0;
    int dead = 0;
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
        deadLetters.send(r, errors.stream().map(ValidationError::toString).collect(Collectors.joining("; ")), now);
        dead++;
        continue;
      }
      index.put(tree.get("event_id").textValue(),
          IndexSchema.document(tree, value, new IndexSchema.Origin(r.partition(), r.offset(), ingestedAt)));
      indexed++;
    }
    metrics.indexed.increment(indexed);
    metrics.deadLettered.increment(dead);
    return null;
  }

  /**
   * Starts a commit of the offsets reached so far on the committer thread, unless one is still
   * running. Documents indexed while it runs may land in it too: that is safe, since the offsets
   * never claim more than the commit holds, and re-reading a document writes it by event_id again.
   */
  private void commitInBackground() throws Exception {
    if (commitInFlight != null) {
      if (!commitInFlight.isDone()) {
        return;
      }
      commitInFlight.get(); // rethrows a failed commit: fatal
    }
    Map<String, Long> snapshot = Map.copyOf(nextOffsets);
    commitInFlight = committer.submit(() -> {
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
      log.info("indexer assigned partitions={} resume_at={}", partitions,
          partitions.stream().collect(Collectors.toMap(IndexerLoop::key, tp -> nextOffsets.getOrDefault(key(tp), 0L))));
    }
  }
}
