package dev.mcpaudit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.schema.validation.EventValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The embedded broker is a real Kafka: topics, idempotent acks=all produce, consume, restart. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedKafkaIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.dedicated();

  static final int EVENTS = 10_000;
  static final Topics TOPICS = Topics.defaults();
  static final Map<String, AuthzEvent> produced = new LinkedHashMap<>();

  final EventCodec codec = new EventCodec(EventValidator.withSystemClock());

  @Test
  @Order(1)
  void createsTheContractTopics() throws Exception {
    KAFKA.createTopics(4, TOPICS.all().toArray(String[]::new));
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      Set<String> names = admin.listTopics().names().get();
      assertThat(names).containsAll(TOPICS.all());
      assertThat(
              admin
                  .describeTopics(List.of(TOPICS.decisions()))
                  .allTopicNames()
                  .get()
                  .get(TOPICS.decisions())
                  .partitions())
          .hasSize(4);
    }
  }

  @Test
  @Order(2)
  void producesTenThousandEventsWithAcksAllAndIdempotenceAndReadsThemBack() throws Exception {
    SyntheticEvents gen = new SyntheticEvents(42, Instant.now().minus(Duration.ofHours(2)));
    Map<String, Object> cfg =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            KAFKA.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4",
            ProducerConfig.LINGER_MS_CONFIG,
            5);
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(cfg, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < EVENTS; i++) {
        AuthzEvent e = gen.next();
        produced.put(e.eventId(), e);
        acks.add(
            producer.send(
                new ProducerRecord<>(TOPICS.decisions(), e.partitionKey(), EventCodec.encode(e))));
      }
      producer.flush();
      for (Future<RecordMetadata> ack : acks) {
        assertThat(ack.get().offset()).isGreaterThanOrEqualTo(0);
      }
    }

    List<ConsumerRecord<String, byte[]>> records = readAll(Duration.ofSeconds(60));
    assertThat(records).hasSize(EVENTS);
    Map<String, AuthzEvent> consumed = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : records) {
      AuthzEvent e = codec.decodeOrThrow(r.value());
      assertThat(r.key()).isEqualTo(e.partitionKey());
      assertThat(consumed.put(e.eventId(), e)).as("duplicate " + e.eventId()).isNull();
    }
    assertThat(consumed).isEqualTo(produced);

    // Keyed by handle: each key's events come back in the order they were produced.
    Map<String, List<String>> sentOrder =
        produced.values().stream()
            .collect(
                Collectors.groupingBy(
                    AuthzEvent::partitionKey,
                    LinkedHashMap::new,
                    Collectors.mapping(AuthzEvent::eventId, Collectors.toList())));
    Map<String, List<String>> readOrder =
        records.stream()
            .collect(
                Collectors.groupingBy(
                    ConsumerRecord::key,
                    LinkedHashMap::new,
                    Collectors.mapping(
                        r -> codec.decodeOrThrow(r.value()).eventId(), Collectors.toList())));
    assertThat(readOrder).isEqualTo(sentOrder);
  }

  @Test
  @Order(3)
  void keepsTopicsAndRecordsAcrossARestartOnTheSameDataDir() {
    String before = KAFKA.bootstrapServers();
    KAFKA.embeddedBroker().stop();
    KAFKA.embeddedBroker().start();
    assertThat(KAFKA.bootstrapServers()).isEqualTo(before);
    Set<String> ids =
        readAll(Duration.ofSeconds(60)).stream()
            .map(r -> codec.decodeOrThrow(r.value()).eventId())
            .collect(Collectors.toSet());
    assertThat(ids).isEqualTo(produced.keySet());
  }

  private List<ConsumerRecord<String, byte[]>> readAll(Duration deadline) {
    return TopicReader.readAll(KAFKA.bootstrapServers(), TOPICS.decisions(), EVENTS, deadline);
  }
}
