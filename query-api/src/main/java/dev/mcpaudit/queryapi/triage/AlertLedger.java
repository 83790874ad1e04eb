package dev.mcpaudit.queryapi.triage;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.alert.AlertChange;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertState;
import dev.mcpaudit.schema.alert.AlertTrack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This API replica's reading of the alert-changes topic: the version and state of every changed
 * alert, folded in topic order by the rule every reader shares ({@link AlertTrack#follows}), and
 * whether each change this replica wrote was applied. A writer learns whether its change won from
 * here, after every change before it was read: two replicas that both wrote on the same version get
 * the same answer, the first in the topic wins and the other is told it conflicted (docs/alerts.md,
 * "Concurrent changes").
 */
final class AlertLedger implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertLedger.class);

  /** Where an alert stands: the version its next change must follow, and its state. */
  record Tip(int version, AlertState state) {
    static final Tip NEW = new Tip(0, AlertState.NEW);
  }

  private record Key(String tenant, String alertId) {}

  private final String topic;
  private final Stamps stamps;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Admin admin;
  private final Map<Key, Tip> tips = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Boolean>> awaited = new ConcurrentHashMap<>();

  /** The next offset to read, per partition, as far as this replica has applied. */
  private final Map<TopicPartition, Long> read = new HashMap<>();

  private volatile boolean running = true;
  private volatile boolean assigned;
  private volatile Throwable fatal;
  private volatile String waiting = "the alert-changes topic is not read yet";
  private final KafkaClients kafka;
  private final short replication;

  AlertLedger(KafkaClients kafka, String topic, short replication, Stamps stamps) {
    this.kafka = kafka;
    this.replication = replication;
    this.topic = topic;
    this.stamps = stamps;
    this.consumer =
        new KafkaConsumer<>(
            kafka.consumer(
                "mcp-audit-api-alert-changes",
                Map.of(
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                    20,
                    ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                    false)),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    this.admin = Admin.create(kafka.admin("mcp-audit-api-alert-changes-offsets"));
  }

  /** The alert's version and state as read so far. */
  Tip tip(String tenant, String alertId) {
    return tips.getOrDefault(new Key(tenant, alertId), Tip.NEW);
  }

  /** Completes with whether the change with this id was applied, once it is read. */
  CompletableFuture<Boolean> expect(String changeId) {
    return awaited.computeIfAbsent(changeId, id -> new CompletableFuture<>());
  }

  void forget(String changeId) {
    awaited.remove(changeId);
  }

  /**
   * Waits until every change written before this call has been read, so {@link #tip} is current.
   *
   * @return false when that did not happen within {@code wait}
   */
  boolean sync(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (read) {
      // Just started: the topic is being found and assigned (or Kafka is away).
      while (!assigned && fatal == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(read, left);
      }
    }
    if (fatal != null) {
      return false;
    }
    Map<TopicPartition, Long> end;
    try {
      List<TopicPartition> parts;
      synchronized (read) {
        parts = List.copyOf(read.keySet());
      }
      if (parts.isEmpty()) {
        parts = partitions(wait);
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      end = new HashMap<>();
      admin
          .listOffsets(latest)
          .all()
          .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
          .forEach((tp, info) -> end.put(tp, info.offset()));
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      log.warn("alert changes: end offsets not known error={}", e.toString());
      return false;
    }
    synchronized (read) {
      while (!reached(end)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || fatal != null) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(read, left);
      }
    }
    return true;
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (read.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private List<TopicPartition> partitions(Duration wait) {
    try {
      return admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get(wait.toMillis(), TimeUnit.MILLISECONDS)
          .get(topic)
          .partitions()
          .stream()
          .map(p -> new TopicPartition(topic, p.partition()))
          .toList();
    } catch (Exception e) {
      return List.of();
    }
  }

  /**
   * Makes sure the topic exists, as long as it takes: Kafka away at start delays alert changes (503
   * with the reason), never the api's reads.
   */
  private void ensureTopic() throws InterruptedException {
    long backoff = 500;
    while (running) {
      try {
        dev.mcpaudit.kafka.client.CompactedTopic.ensure(
            kafka, "api", topic, replication, "alert changes");
        return;
      } catch (RuntimeException e) {
        waiting = e.getMessage();
        log.warn("alert changes wait for Kafka: {}", e.getMessage());
        synchronized (this) {
          wait(backoff);
        }
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  @Override
  public void run() {
    try {
      ensureTopic();
      while (running) {
        if (consumer.assignment().isEmpty()) {
          List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10));
          if (parts == null || parts.isEmpty()) {
            synchronized (this) {
              wait(500);
            }
            continue;
          }
          List<TopicPartition> tps =
              parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
          consumer.assign(tps);
          consumer.seekToBeginning(tps);
          assigned = true;
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          apply(r);
        }
        synchronized (read) {
          for (TopicPartition tp : consumer.assignment()) {
            read.put(tp, consumer.position(tp));
          }
          read.notifyAll();
        }
      }
    } catch (WakeupException e) {
      if (running) {
        fatal = e;
      }
    } catch (Exception e) {
      fatal = e;
      log.error("reading the alert-changes topic stopped: alert changes are refused (503)", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      synchronized (read) {
        read.notifyAll();
      }
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> r) {
    Optional<Stamps.Proof> proof = stamps.verify(r.headers(), r.value());
    if (proof.isEmpty() || proof.get().kind() != StampKind.API) {
      // Not written by an api: never applied (the indexer dead-letters it).
      return;
    }
    AlertChange c;
    try {
      c = AlertChangeCodec.read(r.value());
    } catch (IllegalArgumentException e) {
      return;
    }
    Key key = new Key(c.tenant(), c.alertId());
    Tip tip = tips.getOrDefault(key, Tip.NEW);
    boolean applies = AlertTrack.follows(tip.version(), tip.state(), c);
    if (applies) {
      tips.put(key, new Tip(c.version(), c.to()));
    }
    CompletableFuture<Boolean> waiting = awaited.remove(c.changeId());
    if (waiting != null) {
      waiting.complete(applies);
    }
  }

  /** Why changes cannot be made now, if they cannot. */
  Optional<String> unavailable() {
    if (fatal != null) {
      return Optional.of("reading the alert-changes topic stopped: " + fatal);
    }
    return assigned ? Optional.empty() : Optional.of(waiting);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    synchronized (this) {
      notifyAll();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
