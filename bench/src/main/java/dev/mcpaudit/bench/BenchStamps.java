package dev.mcpaudit.bench;

import dev.mcpaudit.kafka.stamp.StampKey;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The roles key the benchmarks configure, as a deployment does (docs/provenance.md): records they
 * publish carry the collector's stamp, so the indexer verifies every one, as it does in production.
 */
final class BenchStamps {
  static final StampKey KEY = StampKey.generate("bench-roles", StampKey.Scope.ROLES);
  private static final Stamps STAMPS = new Stamps(List.of(KEY), KEY);
  private static final Path FILE = write();

  private BenchStamps() {}

  private static Path write() {
    try {
      Path f = Files.createTempFile("mcp-audit-bench-", ".key");
      Files.writeString(f, KEY.encode());
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, String> settings() {
    return Map.of("stamp.keys." + KEY.id(), FILE.toString());
  }

  /** {@code r} stamped as the collector stamps what it accepts. */
  static <K> ProducerRecord<K, byte[]> asCollector(ProducerRecord<K, byte[]> r) {
    STAMPS.stamp(r.headers(), StampKind.COLLECTOR, r.value());
    return r;
  }
}
