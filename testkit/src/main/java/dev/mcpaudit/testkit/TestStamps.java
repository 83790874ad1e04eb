package dev.mcpaudit.testkit;

import dev.mcpaudit.kafka.stamp.StampKey;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One {@code roles} stamp key for the tests and benchmarks of a JVM, in a temporary file, as the
 * roles are configured in production ({@code stamp.keys.<id>=<file>}; docs/provenance.md).
 */
public final class TestStamps {
  public static final String KEY_ID = "test-roles";
  private static final StampKey KEY = StampKey.generate(KEY_ID, StampKey.Scope.ROLES);
  private static final Path FILE = write(KEY);
  private static final Stamps STAMPS = new Stamps(List.of(KEY), KEY);

  private TestStamps() {}

  private static Path write(StampKey key) {
    try {
      Path dir = Files.createTempDirectory("mcp-audit-test-stamp");
      Path file = dir.resolve(key.id() + ".key");
      Files.writeString(file, key.encode());
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The settings that give a role the test key. */
  public static Map<String, String> settings() {
    return Map.of("stamp.keys." + KEY_ID, FILE.toString());
  }

  /** {@code settings} plus the test key. */
  public static Map<String, String> with(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.putAll(settings());
    return all;
  }

  public static StampKey key() {
    return KEY;
  }

  /** Signs and verifies with the test key. */
  public static Stamps stamps() {
    return STAMPS;
  }

  /** {@code r} with the stamp the detector puts on its alerts. */
  public static <K> ProducerRecord<K, byte[]> asDetector(ProducerRecord<K, byte[]> r) {
    return stamped(r, StampKind.DETECTOR);
  }

  /** {@code r} with the stamp a {@code kind} writer puts on it (its own replaced). */
  public static <K> ProducerRecord<K, byte[]> stamped(ProducerRecord<K, byte[]> r, StampKind kind) {
    STAMPS.stamp(r.headers(), kind, r.value());
    return r;
  }

  /** The header a role would put on {@code value}. */
  public static Header header(StampKind kind, byte[] value) {
    return STAMPS.sign(kind, value);
  }
}
