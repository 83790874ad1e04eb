package dev.mcpaudit.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a whole topic from the beginning, as a test's independent view of what Kafka holds. */
public final class TopicReader {
  private TopicReader() {}

  /**
   * Every committed record of {@code topic}, once at least {@code atLeast} arrived or the deadline
   * passed, plus whatever arrives within a short settle time (so extra records are seen too).
   */
  public static List<ConsumerRecord<String, byte[]>> readAll(
      String bootstrap, String topic, int atLeast, Duration deadline) {
    Map<String, Object> cfg =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            5000);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(cfg, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic, deadline).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long end = System.nanoTime() + deadline.toNanos();
      while (out.size() < atLeast && System.nanoTime() < end) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      long settle = System.nanoTime() + Duration.ofMillis(700).toNanos();
      while (System.nanoTime() < settle) {
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }

  /**
   * The dead-letter topic's {@code error} header of the letter holding each of {@code ids} (found
   * in the letter's value), read until every id has one or a minute passed.
   */
  public static Map<String, String> deadLetterErrors(
      String bootstrap, String deadLetterTopic, String... ids) {
    Map<String, String> out = new HashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (out.size() < ids.length && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r :
          readAll(bootstrap, deadLetterTopic, 1, Duration.ofSeconds(10))) {
        String value = new String(r.value(), java.nio.charset.StandardCharsets.UTF_8);
        for (String id : ids) {
          org.apache.kafka.common.header.Header error =
              r.headers().lastHeader(dev.mcpaudit.schema.topic.Topics.HEADER_ERROR);
          if (value.contains(id) && error != null) {
            out.put(id, new String(error.value(), java.nio.charset.StandardCharsets.UTF_8));
          }
        }
      }
    }
    return out;
  }

  /**
   * The end offset of every partition of {@code topic}, keyed {@code topic:partition} like the
   * index commit.
   */
  public static Map<String, Long> endOffsets(String bootstrap, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      Map<TopicPartition, OffsetSpec> req = new HashMap<>();
      admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .forEach(p -> req.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<String, Long> out = new HashMap<>();
      admin
          .listOffsets(req)
          .all()
          .get()
          .forEach((tp, info) -> out.put(tp.topic() + ":" + tp.partition(), info.offset()));
      return out;
    }
  }
}
