package dev.mcpaudit.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector against a real broker: 200,000 clean events with 26 known incidents in them, and a
 * detector stopped half way and started again on empty local state (restored from its changelogs),
 * must give exactly one alert per incident, none for the clean traffic, and no alert twice.
 */
class DetectorIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @TempDir Path dir;

  @Test
  void oneAlertPerIncidentNoneOnCleanTrafficAndNoDuplicateAcrossARestart() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("detector-decisions");
    String alerts = KafkaBrokerExtension.uniqueTopic("detector-alerts");
    kafka.createTopics(4, decisions, alerts);
    String appId = "detector-it-" + decisions;
    // Relative to now, not a fixed date: the broker deletes changelog and repartition records by
    // their timestamps against its own clock, so events a week old lose the memory the restart
    // restores (the REPLAY first uses), and the test would measure its own age.
    Instant start =
        Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(Duration.ofHours(2));
    Incidents incidents = Incidents.generate(42, start, 200_000, 10, 5, 5, 3, 3);
    List<AuthzEvent> all = incidents.inSendOrder();

    publish(all.subList(0, all.size() / 2), decisions);
    try (DetectorService first =
        DetectorService.embedded(
            config(decisions, alerts, appId, dir.resolve("state-1")), new SimpleMeterRegistry())) {
      await()
          .atMost(Duration.ofMinutes(3))
          .until(() -> consumed(appId, decisions) >= all.size() / 2);
    }
    publish(all.subList(all.size() / 2, all.size()), decisions);
    // A new state directory: the second instance must rebuild its memory from the changelogs.
    try (DetectorService second =
        DetectorService.embedded(
            config(decisions, alerts, appId, dir.resolve("state-2")), new SimpleMeterRegistry())) {
      await().atMost(Duration.ofMinutes(3)).until(() -> consumed(appId, decisions) >= all.size());
      // Decisions read is not the end: the replay and deny-burst rules read repartition topics.
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> second.backlog() == 0);
      List<Alert> raised = readAlerts(alerts, incidents.expected.size());

      assertThat(raised.stream().map(Alert::alertId)).doesNotHaveDuplicates();
      assertThat(
              raised.stream()
                  .map(a -> new Incidents.Expected(a.type(), a.subject()))
                  .collect(Collectors.toSet()))
          .containsExactlyInAnyOrderElementsOf(incidents.expected);
      assertThat(raised).hasSize(incidents.expected.size());
      assertThat(raised).allSatisfy(a -> assertThat(a.evidence()).isNotEmpty());
      assertThat(second.health()).isEqualTo(Health.READY);
      // Working off a backlog must not make on-time events look late (repartition skew).
      assertThat(second.metrics().lateCount()).isZero();
    }
  }

  private DetectorConfig config(String decisions, String alerts, String appId, Path state) {
    return DetectorConfig.from(
        Settings.of(
            TestStamps.with(
                Map.of(
                    "kafka.bootstrap-servers",
                    kafka.bootstrapServers(),
                    "topics.decisions",
                    decisions,
                    "topics.alerts",
                    alerts,
                    "detector.application-id",
                    appId,
                    "detector.state-dir",
                    state.toString(),
                    "detector.port",
                    "0"))));
  }

  private void publish(List<AuthzEvent> events, String topic) {
    Map<String, Object> cfg =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.LINGER_MS_CONFIG,
            20,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true);
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(cfg, new StringSerializer(), new ByteArraySerializer())) {
      for (AuthzEvent e : events) {
        p.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
      }
      p.flush();
    }
  }

  /** Input records the detector has committed as processed (alerts and state commit with them). */
  private long consumed(String appId, String topic) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
      return offsets.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(topic))
          .mapToLong(e -> e.getValue().offset())
          .sum();
    }
  }

  /**
   * Waits for one more than expected (the deadline is the settle time in which an extra alert would
   * show).
   */
  private List<Alert> readAlerts(String topic, int expected) {
    List<ConsumerRecord<String, byte[]>> records =
        TopicReader.readAll(kafka.bootstrapServers(), topic, expected + 1, Duration.ofSeconds(20));
    var serde = dev.mcpaudit.detector.topology.JsonSerde.of(Alert.class);
    return records.stream().map(r -> serde.deserializer().deserialize(topic, r.value())).toList();
  }
}
