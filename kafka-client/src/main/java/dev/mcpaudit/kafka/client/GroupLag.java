package dev.mcpaudit.kafka.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How far a consumer group is behind on one topic, measured from Kafka alone, so every place that
 * reports it (the detector's metrics and readiness, the API's status for the UI, the benchmarks)
 * means the same: per partition, the committed records not yet consumed (last stable offset minus
 * the group's committed offset) and how long the oldest of them has waited (now minus its Kafka
 * timestamp). A group with nothing committed on a partition is behind by the whole partition.
 *
 * <p>Reads at most one record per lagging partition, without joining the group.
 */
public final class GroupLag implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final KafkaConsumer<byte[], byte[]> peek;
  private final String group;
  private final String topic;

  /** One partition: records not yet consumed, and the Kafka timestamp of the oldest of them. */
  public record Partition(int partition, long records, long oldestWaitingMs) {
    /** How long the oldest waiting record has waited; zero when none waits. */
    public Duration behind(Instant now) {
      return records == 0 || oldestWaitingMs < 0
          ? Duration.ZERO
          : Duration.ofMillis(Math.max(0, now.toEpochMilli() - oldestWaitingMs));
    }
  }

  /** Every partition of the topic at one moment. */
  public record Snapshot(Instant at, List<Partition> partitions) {
    public long records() {
      return partitions.stream().mapToLong(Partition::records).sum();
    }

    /** The longest any waiting record has waited. */
    public Duration behind() {
      return partitions.stream()
          .map(p -> p.behind(at))
          .max(Comparator.naturalOrder())
          .orElse(Duration.ZERO);
    }
  }

  public GroupLag(KafkaClients kafka, String clientId, String group, String topic) {
    this.group = group;
    this.topic = topic;
    this.admin = Admin.create(kafka.admin(clientId));
    Map<String, Object> tuning = new HashMap<>();
    tuning.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    tuning.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 1 << 20);
    this.peek =
        new KafkaConsumer<>(
            kafka.consumer(clientId, tuning),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
  }

  /**
   * @throws Exception when Kafka does not answer in time, or refuses (ACLs: the group's DESCRIBE,
   *     the topic's DESCRIBE and READ)
   */
  public synchronized Snapshot measure(Instant now) throws Exception {
    var description =
        admin
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    List<TopicPartition> partitions =
        description.get(topic).partitions().stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    partitions.forEach(
        tp -> {
          latest.put(tp, OffsetSpec.latest());
          earliest.put(tp, OffsetSpec.earliest());
        });
    ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    var ends =
        admin.listOffsets(latest, committedOnly).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    var starts =
        admin.listOffsets(earliest, committedOnly).all().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    Map<TopicPartition, Long> from = new HashMap<>();
    List<Partition> out = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      long start = starts.get(tp).offset();
      OffsetAndMetadata c = committed.get(tp);
      long position = Math.max(start, c == null ? start : c.offset());
      long waiting = Math.max(0, ends.get(tp).offset() - position);
      if (waiting > 0) {
        from.put(tp, position);
      }
      out.add(new Partition(tp.partition(), waiting, -1));
    }
    Map<Integer, Long> oldest = oldestWaiting(from);
    List<Partition> measured =
        out.stream()
            .map(
                p ->
                    new Partition(
                        p.partition(), p.records(), oldest.getOrDefault(p.partition(), -1L)))
            .toList();
    return new Snapshot(now, measured);
  }

  /** The Kafka timestamp of the record at each offset (or the first readable one after it). */
  private Map<Integer, Long> oldestWaiting(Map<TopicPartition, Long> from) {
    Map<Integer, Long> out = new HashMap<>();
    if (from.isEmpty()) {
      return out;
    }
    peek.assign(from.keySet());
    from.forEach(peek::seek);
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (out.size() < from.size() && System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : peek.poll(Duration.ofMillis(200))) {
        out.putIfAbsent(r.partition(), r.timestamp());
        // One record per partition is all it takes: stop fetching that one.
        peek.pause(List.of(new TopicPartition(r.topic(), r.partition())));
      }
    }
    peek.assign(List.of());
    return out;
  }

  @Override
  public String toString() {
    return group + " on " + topic;
  }

  @Override
  public void close() {
    peek.close(Duration.ofSeconds(5));
    admin.close(Duration.ofSeconds(5));
  }
}
