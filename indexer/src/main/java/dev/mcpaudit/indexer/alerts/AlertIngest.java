package dev.mcpaudit.indexer.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts topic to the alerts index. Every indexer reads every partition (no consumer group):
 * alerts are few, and each API must show all of them, whichever shard of events it serves. Reads
 * only committed alerts (the detector writes transactionally) and resumes from the offsets of the
 * index's last commit, so a crash re-reads at most what was not committed, and re-reading an
 * alert replaces it by alert_id.
 */
public final class AlertIngest implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertIngest.class);
  private static final Duration COMMIT_EVERY = Duration.ofMillis(500);
  private static final Duration REDISCOVER_EVERY = Duration.ofSeconds(30);

  private final AlertIndex index;
  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Long> next = new HashMap<>();
  private volatile boolean running = true;
  private volatile Throwable fatal;

  public AlertIngest(AlertIndex index, String bootstrapServers, String topic) {
    this.index = index;
    this.topic = topic;
    this.next.putAll(index.committedOffsets());
    Map<String, Object> cfg = new HashMap<>();
    cfg.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    cfg.put(ConsumerConfig.CLIENT_ID_CONFIG, "mcp-audit-indexer-alerts");
    cfg.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    cfg.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cfg.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    cfg.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // the detector creates it, with its settings
    this.consumer = new KafkaConsumer<>(cfg, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  public Throwable fatalError() {
    return fatal;
  }

  @Override
  public void run() {
    long lastCommit = System.nanoTime();
    long lastDiscovery = 0;
    boolean dirty = false;
    try {
      while (running) {
        if (System.nanoTime() - lastDiscovery > REDISCOVER_EVERY.toNanos()) {
          assignAll();
          lastDiscovery = System.nanoTime();
        }
        if (consumer.assignment().isEmpty()) {
          waitForTopic();
          lastDiscovery = 0;
          continue;
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          index(r);
          next.put(r.topic() + ":" + r.partition(), r.offset() + 1);
          dirty = true;
        }
        if (dirty && System.nanoTime() - lastCommit > COMMIT_EVERY.toNanos()) {
          index.commit(Map.copyOf(next));
          lastCommit = System.nanoTime();
          dirty = false;
        }
      }
      if (dirty) {
        index.commit(Map.copyOf(next));
      }
    } catch (WakeupException e) {
      if (running) {
        fatal = e;
      } else {
        commitQuietly();
      }
    } catch (Exception e) {
      fatal = e;
      log.error("alert indexing stopped: the alerts index keeps its last commit and resumes from it", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void index(ConsumerRecord<byte[], byte[]> r) throws IOException {
    try {
      JsonNode alert = EventCodec.mapper().readTree(r.value());
      String id = alert.path(AlertIndex.ALERT_ID).asText("");
      if (id.isEmpty() || !alert.hasNonNull(AlertIndex.DETECTED_AT)) {
        throw new IOException("no alert_id or detected_at");
      }
      index.put(id, AlertIndex.document(alert, r.value()));
    } catch (IOException | RuntimeException e) {
      // The detector is the only writer of this topic; anything else there is skipped, loudly.
      log.warn("skipping a record of {} that is not an alert partition={} offset={} error={}", topic, r.partition(),
          r.offset(), e.getMessage());
    }
  }

  private void assignAll() {
    List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10));
    if (parts == null || parts.isEmpty() || parts.size() == consumer.assignment().size()) {
      return;
    }
    List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    consumer.assign(tps);
    for (TopicPartition tp : tps) {
      Long at = next.get(tp.topic() + ":" + tp.partition());
      if (at == null) {
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, at);
      }
    }
    log.info("alert indexing assigned partitions={}", tps.size());
  }

  private void waitForTopic() {
    // No alerts topic yet (no detector has run): look again shortly, without spinning.
    synchronized (this) {
      try {
        wait(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
    }
  }

  private void commitQuietly() {
    try {
      index.commit(Map.copyOf(next));
    } catch (IOException e) {
      log.warn("final alerts index commit failed error={}", e.toString());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    synchronized (this) {
      notifyAll();
    }
  }
}
