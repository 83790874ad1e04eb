package dev.mcpaudit.indexer.evidence;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
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
  private final Stamps stamps;
  private final KafkaProducer<String, byte[]> producer;
  private final List<EvidenceLog.Made> failed = new ArrayList<>();

  public CheckpointPublisher(KafkaClients kafka, String topic, Stamps stamps, short replication) {
    this.topic = topic;
    this.stamps = stamps;
    ensureTopic(kafka, topic, replication);
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
              m.log().tenant() + "/" + m.log().partition() + "/" + m.checkpoint().size(),
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

  private static void ensureTopic(KafkaClients kafka, String topic, short replication) {
    try (Admin admin = Admin.create(kafka.admin("mcp-audit-indexer-checkpoints-topic"))) {
      if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        return;
      }
      admin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, replication)
                      .configs(
                          Map.of(
                              TopicConfig.CLEANUP_POLICY_CONFIG,
                              TopicConfig.CLEANUP_POLICY_COMPACT))))
          .all()
          .get(30, TimeUnit.SECONDS);
      log.info("indexer created topic={} compacted partitions=1", topic);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create the checkpoints topic " + topic + ": " + kafka.scrub(e.toString()), e);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(
          "cannot check or create the checkpoints topic "
              + topic
              + ": "
              + kafka.scrub(e.toString()),
          e);
    }
  }
}
