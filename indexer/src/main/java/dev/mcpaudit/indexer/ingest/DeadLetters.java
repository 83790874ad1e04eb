package dev.mcpaudit.indexer.ingest;

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
 * wrong. Sends are asynchronous; {@link #awaitAll} runs before every index commit, so the index
 * never moves past a poison record whose dead letter Kafka has not acknowledged.
 */
final class DeadLetters implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();

  DeadLetters(String bootstrapServers, String topic) {
    this.topic = topic;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.CLIENT_ID_CONFIG, "mcp-audit-indexer-dlq",
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new ByteArraySerializer(), new ByteArraySerializer());
  }

  synchronized void send(ConsumerRecord<byte[], byte[]> rec, String error, Instant now) {
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, rec.key(), rec.value() == null ? new byte[0] : rec.value());
    out.headers().add(Topics.HEADER_ERROR, error.getBytes(StandardCharsets.UTF_8));
    out.headers().add(Topics.HEADER_ERROR_AT, Rfc3339.format(now).getBytes(StandardCharsets.UTF_8));
    out.headers().add(Topics.HEADER_SOURCE,
        ("indexer/" + rec.topic() + "/" + rec.partition() + "/" + rec.offset()).getBytes(StandardCharsets.UTF_8));
    pending.add(producer.send(out));
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
