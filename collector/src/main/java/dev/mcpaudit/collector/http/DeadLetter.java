package dev.mcpaudit.collector.http;

import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The dead-letter copy of rejected input. It is kept as received up to {@link #MAX_VALUE_BYTES}; a
 * larger item would exceed Kafka's request limit ({@code max.request.size}, 1 MiB by default), so
 * its batch could never be acknowledged and a client would retry it forever. Such an item is kept
 * as its first {@link #MAX_VALUE_BYTES} bytes with its full length and SHA-256 in headers (README,
 * "The event contract": the dead-letter topic).
 */
final class DeadLetter {
  /**
   * Four times the largest valid event: anything longer is not an event that merely broke a rule.
   */
  static final int MAX_VALUE_BYTES = 64 * 1024;

  /** Validation errors of a huge item can be many; the header keeps their beginning. */
  static final int MAX_ERROR_CHARS = 8 * 1024;

  private DeadLetter() {}

  static ProducerRecord<String, byte[]> of(
      String topic, byte[] raw, String error, Instant now, String principal) {
    boolean truncated = raw.length > MAX_VALUE_BYTES;
    byte[] value = truncated ? Arrays.copyOf(raw, MAX_VALUE_BYTES) : raw;
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, null, value);
    r.headers().add(Topics.HEADER_ERROR, utf8(capped(error)));
    r.headers().add(Topics.HEADER_ERROR_AT, utf8(Rfc3339.format(now)));
    r.headers().add(Topics.HEADER_SOURCE, utf8("collector/" + principal));
    if (truncated) {
      r.headers()
          .add(
              Topics.HEADER_TRUNCATED,
              utf8("first " + MAX_VALUE_BYTES + " of " + raw.length + " bytes kept"));
      r.headers().add(Topics.HEADER_ORIGINAL_LENGTH, utf8(Integer.toString(raw.length)));
      r.headers().add(Topics.HEADER_ORIGINAL_SHA256, utf8(sha256(raw)));
    }
    return r;
  }

  private static String capped(String error) {
    return error.length() <= MAX_ERROR_CHARS
        ? error
        : error.substring(0, MAX_ERROR_CHARS)
            + "... ("
            + (error.length() - MAX_ERROR_CHARS)
            + " more characters)";
  }

  private static String sha256(byte[] raw) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
