package dev.mcpaudit.collector.http;

import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The collector's dead letters: the record every refuser shares ({@link
 * dev.mcpaudit.schema.topic.DeadLetter}: input kept up to 64 KiB, what was wrong, when, and the
 * source principal that sent it), as a Kafka record without a key.
 */
final class DeadLetter {
  static final int MAX_VALUE_BYTES = dev.mcpaudit.schema.topic.DeadLetter.MAX_VALUE_BYTES;

  private DeadLetter() {}

  static ProducerRecord<String, byte[]> of(
      String topic, byte[] raw, String error, Instant now, String principal) {
    dev.mcpaudit.schema.topic.DeadLetter letter =
        dev.mcpaudit.schema.topic.DeadLetter.of(null, raw, error, now, "collector/" + principal);
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, null, letter.value());
    letter.headers().forEach(h -> r.headers().add(h.getKey(), h.getValue()));
    return r;
  }
}
