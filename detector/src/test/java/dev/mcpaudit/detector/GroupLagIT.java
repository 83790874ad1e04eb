package dev.mcpaudit.detector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.kafka.client.GroupLag;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lag every report shares, against a real broker: records past the group's committed offset,
 * and how long the oldest of them has waited by its Kafka timestamp.
 */
class GroupLagIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @Test
  void recordsPastTheCommittedOffsetAndTheWaitOfTheOldest() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("lag");
    String group = "lag-group-" + topic;
    kafka.createTopics(3, topic);
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < 10; i++) {
        long ts = t0.plusSeconds(i).toEpochMilli();
        p.send(new ProducerRecord<>(topic, 0, ts, null, new byte[] {(byte) i}));
        if (i < 4) {
          p.send(new ProducerRecord<>(topic, 1, ts, null, new byte[] {(byte) i}));
        }
      }
      p.flush();
    }
    // The group has judged partition 0 up to offset 6 and all of partition 1; partition 2 is empty.
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                group),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      c.commitSync(
          Map.of(
              new TopicPartition(topic, 0), new OffsetAndMetadata(6),
              new TopicPartition(topic, 1), new OffsetAndMetadata(4)));
    }

    Instant now = t0.plusSeconds(100);
    try (GroupLag lag =
        new GroupLag(KafkaClients.plain(kafka.bootstrapServers()), "lag-test", group, topic)) {
      GroupLag.Snapshot s = lag.measure(now);
      assertThat(s.partitions())
          .containsExactlyInAnyOrder(
              new GroupLag.Partition(0, 4, t0.plusSeconds(6).toEpochMilli()),
              new GroupLag.Partition(1, 0, -1),
              new GroupLag.Partition(2, 0, -1));
      assertThat(s.records()).isEqualTo(4);
      assertThat(s.behind()).isEqualTo(Duration.ofSeconds(94));

      // A group that has committed nothing is behind by everything the topic holds.
      try (GroupLag fresh =
          new GroupLag(
              KafkaClients.plain(kafka.bootstrapServers()), "lag-test-2", group + "-new", topic)) {
        GroupLag.Snapshot n = fresh.measure(now);
        assertThat(n.records()).isEqualTo(14);
        assertThat(n.behind()).isEqualTo(Duration.ofSeconds(100));
      }
    }
  }
}
