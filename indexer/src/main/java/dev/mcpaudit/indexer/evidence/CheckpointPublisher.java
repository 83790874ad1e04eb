package dev.mcpaudit.indexer.evidence;

import dev.mcpaudit.kafka.client.CompactedTopic;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes signed checkpoints to the checkpoints topic, for a witness or an archive outside
 * mcp-audit to keep (README, "Verifiable evidence"). Compacted and keyed {@code
 * <tenant>/<partition>/<size>}: every checkpoint has its own key, so compaction keeps each one, and
 * publishing one again (after a restart) replaces it by one of the same tree. Called only after the
 * commit holding the checkpoint; a send that fails is tried again after the next commit.
 */
public final class CheckpointPublisher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckpointPublisher.class);

  private final String topic;
  private final String keyPrefix;
  private final Stamps stamps;
  private final KafkaProducer<String, byte[]> producer;
  private final List<EvidenceLog.Made> failed = new ArrayList<>();

  public CheckpointPublisher(KafkaClients kafka, String topic, Stamps stamps, short replication) {
    this(kafka, topic, stamps, replication, "");
  }

  /**
   * @param keyPrefix before every key: {@code alerts/} for the alert logs, whose keys must not meet
   *     the decision logs' (README, "Evidence bundles")
   */
  public CheckpointPublisher(
      KafkaClients kafka, String topic, Stamps stamps, short replication, String keyPrefix) {
    this.topic = topic;
    this.keyPrefix = keyPrefix;
    this.stamps = stamps;
    CompactedTopic.ensure(kafka, "indexer", topic, replication, "checkpoints");
    this.producer =
        new KafkaProducer<>(
            kafka.producer("mcp-audit-indexer-checkpoints", Map.of()),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  /** Sends {@code made} (and what failed before); does not wait. */
  public void publish(List<EvidenceLog.Made> made) {
    List<EvidenceLog.Made> all;
    synchronized (failed) {
      all = new ArrayList<>(failed);
      failed.clear();
    }
    all.addAll(made);
    for (EvidenceLog.Made m : all) {
      byte[] value = m.note().getBytes(StandardCharsets.UTF_8);
      ProducerRecord<String, byte[]> r =
          new ProducerRecord<>(
              topic,
              keyPrefix
                  + m.log().tenant()
                  + "/"
                  + m.log().partition()
                  + "/"
                  + m.checkpoint().size(),
              value);
      stamps.stamp(r.headers(), StampKind.INDEXER, value);
      producer.send(
          r,
          (meta, e) -> {
            if (e != null) {
              log.warn(
                  "checkpoint of {} at {} not published yet: {}",
                  m.checkpoint().origin(),
                  m.checkpoint().size(),
                  e.toString());
              synchronized (failed) {
                failed.add(m);
              }
            }
          });
    }
  }

  /** Waits for every send so far (tests, shutdown). */
  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
