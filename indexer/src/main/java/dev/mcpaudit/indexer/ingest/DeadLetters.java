package dev.mcpaudit.indexer.ingest;

import dev.mcpaudit.indexer.store.StoredVersion;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.topic.DeadLetter;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends records the indexer cannot index to the dead-letter topic, as received, with what was
 * wrong, and the alerts the indexer raises. Sends are asynchronous; {@link #awaitAll} runs before
 * every index commit, so the index never moves past a record whose dead letter or alert Kafka has
 * not acknowledged.
 */
public final class DeadLetters implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();

  private final Stamps stamps;

  /**
   * @param clientId the producer's client id: one per instance (the loop's and the alert ingest's)
   */
  public DeadLetters(KafkaClients kafka, String clientId, String topic, Stamps stamps) {
    this.topic = topic;
    this.stamps = stamps;
    this.producer =
        new KafkaProducer<>(
            kafka.producer(clientId, Map.of()),
            new ByteArraySerializer(),
            new ByteArraySerializer());
  }

  public void send(ConsumerRecord<byte[], byte[]> rec, String error, Instant now) {
    send(deadLetter(rec, error, now));
  }

  /**
   * A conflicting duplicate: the refused version, with where the recorded first version came from.
   */
  void sendConflict(
      ConsumerRecord<byte[], byte[]> rec, String error, StoredVersion first, Instant now) {
    send(
        deadLetter(rec, error, now)
            .with(Topics.HEADER_STORED_PARTITION, Integer.toString(first.partition()))
            .with(Topics.HEADER_STORED_OFFSET, Long.toString(first.offset())));
  }

  /** An alert the indexer raises, acknowledged before the next index commit like a dead letter. */
  void sendAlert(String alertsTopic, String subject, byte[] alert) {
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>(alertsTopic, subject.getBytes(StandardCharsets.UTF_8), alert);
    // Without the indexer's stamp the alert would be refused as anyone's (docs/provenance.md).
    stamps.stamp(r.headers(), StampKind.INDEXER, alert);
    send(r);
  }

  /** The record every refuser shares, keyed as the refused record was. */
  private static DeadLetter deadLetter(
      ConsumerRecord<byte[], byte[]> rec, String error, Instant now) {
    return DeadLetter.of(
        rec.key(),
        rec.value(),
        error,
        now,
        "indexer/" + rec.topic() + "/" + rec.partition() + "/" + rec.offset());
  }

  private void send(DeadLetter letter) {
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, letter.key(), letter.value());
    letter.headers().forEach(h -> out.headers().add(h.getKey(), h.getValue()));
    send(out);
  }

  private synchronized void send(ProducerRecord<byte[], byte[]> out) {
    pending.add(producer.send(out));
  }

  /** Waits until Kafka acknowledged every dead letter sent so far; throws if one failed. */
  public synchronized void awaitAll() throws ExecutionException, InterruptedException {
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
