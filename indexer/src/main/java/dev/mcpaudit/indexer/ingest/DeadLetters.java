package dev.mcpaudit.indexer.ingest;

import dev.mcpaudit.indexer.store.StoredVersion;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records the indexer cannot index to the dead-letter topic, as received, with what was
 * wrong, and the alerts the indexer raises. Sends are asynchronous; {@link #awaitAll} runs before
 * every index commit, so the index never moves past a record whose dead letter or alert Kafka has
 * not acknowledged.
 */
final class DeadLetters implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();

  DeadLetters(String bootstrapServers, String topic) {
    this.topic = topic;
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "mcp-audit-indexer-dlq",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  void send(ConsumerRecord<byte[], byte[]> rec, String error, Instant now) {
    send(deadLetter(rec, error, now));
  }

  /**
   * A conflicting duplicate: the refused version, with where the recorded first version came from.
   */
  void sendConflict(
      ConsumerRecord<byte[], byte[]> rec, String error, StoredVersion first, Instant now) {
    ProducerRecord<byte[], byte[]> out = deadLetter(rec, error, now);
    out.headers().add(Topics.HEADER_STORED_PARTITION, utf8(Integer.toString(first.partition())));
    out.headers().add(Topics.HEADER_STORED_OFFSET, utf8(Long.toString(first.offset())));
    send(out);
  }

  /** An alert the indexer raises, acknowledged before the next index commit like a dead letter. */
  void sendAlert(String alertsTopic, String subject, byte[] alert) {
    send(new ProducerRecord<>(alertsTopic, utf8(subject), alert));
  }

  private ProducerRecord<byte[], byte[]> deadLetter(
      ConsumerRecord<byte[], byte[]> rec, String error, Instant now) {
    ProducerRecord<byte[], byte[]> out =
        new ProducerRecord<>(topic, rec.key(), rec.value() == null ? new byte[0] : rec.value());
    out.headers().add(Topics.HEADER_ERROR, utf8(error));
    out.headers().add(Topics.HEADER_ERROR_AT, utf8(Rfc3339.format(now)));
    out.headers()
        .add(
            Topics.HEADER_SOURCE,
            utf8("indexer/" + rec.topic() + "/" + rec.partition() + "/" + rec.offset()));
    return out;
  }

  private synchronized void send(ProducerRecord<byte[], byte[]> out) {
    pending.add(producer.send(out));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Waits until Kafka acknowledged every dead letter sent so far; throws if one failed. */
  synchronized void awaitAll() throws ExecutionException, InterruptedException {
    producer.flush();
    for (Future<RecordMetadata> f : pending) {
      f.get();
    }
    pending.clear();
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
