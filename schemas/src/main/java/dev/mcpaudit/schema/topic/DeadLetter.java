package dev.mcpaudit.schema.topic;

import dev.mcpaudit.schema.event.Rfc3339;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A refused record as the dead-letter topic keeps it, whoever refused it (the collector or the
 * indexer): the input as received up to {@link #MAX_VALUE_BYTES}, and headers saying what was
 * wrong, when, and who refused it (README, "The event contract": the dead-letter topic). A larger
 * input would exceed Kafka's request limit ({@code max.request.size}, 1 MiB by default), so its
 * dead letter could never be acknowledged: it is kept as its first {@link #MAX_VALUE_BYTES} bytes
 * with its full length and SHA-256 in headers.
 *
 * @param key the record key (null for what the collector refuses: it had none)
 * @param value what is kept of the input
 * @param headers name and UTF-8 value, in order
 */
public record DeadLetter(byte[] key, byte[] value, List<Map.Entry<String, byte[]>> headers) {
  /**
   * Four times the largest valid event: anything longer is not an event that merely broke a rule.
   */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  /** Validation errors of a huge item can be many; the header keeps their beginning. */
  public static final int MAX_ERROR_CHARS = 8 * 1024;

  public DeadLetter {
    headers = List.copyOf(headers);
  }

  /**
   * @param source who refused it: {@code collector/<principal>} or {@code
   *     indexer/<topic>/<partition>/<offset>}
   */
  public static DeadLetter of(byte[] key, byte[] raw, String error, Instant at, String source) {
    byte[] input = raw == null ? new byte[0] : raw;
    boolean truncated = input.length > MAX_VALUE_BYTES;
    List<Map.Entry<String, byte[]>> headers = new ArrayList<>();
    headers.add(header(Topics.HEADER_ERROR, capped(error)));
    headers.add(header(Topics.HEADER_ERROR_AT, Rfc3339.format(at)));
    headers.add(header(Topics.HEADER_SOURCE, source));
    if (truncated) {
      headers.add(
          header(
              Topics.HEADER_TRUNCATED,
              "first " + MAX_VALUE_BYTES + " of " + input.length + " bytes kept"));
      headers.add(header(Topics.HEADER_ORIGINAL_LENGTH, Integer.toString(input.length)));
      headers.add(header(Topics.HEADER_ORIGINAL_SHA256, sha256(input)));
    }
    return new DeadLetter(key, truncated ? Arrays.copyOf(input, MAX_VALUE_BYTES) : input, headers);
  }

  /** The same dead letter with one more header. */
  public DeadLetter with(String name, String value) {
    List<Map.Entry<String, byte[]>> more = new ArrayList<>(headers);
    more.add(header(name, value));
    return new DeadLetter(key, this.value, more);
  }

  private static Map.Entry<String, byte[]> header(String name, String value) {
    return Map.entry(name, value.getBytes(StandardCharsets.UTF_8));
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
}
