package dev.mcpaudit.index.evidence;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * One evidence log: a tenant's records of one partition of the decisions topic, in Kafka's order
 * there (README, "Verifiable evidence"). Kafka's order within a partition is the one order every
 * indexer, every restart and every rebuild reads alike, so the log is the same wherever it is
 * built; a tenant's logs share nothing with another tenant's.
 */
public record LogId(String tenant, int partition) implements Comparable<LogId> {
  private static final String KEY_PREFIX = "evidence/";

  /** Its directory under the index: the tenant as hex (any printable name is a safe file name). */
  public Path dir(Path indexDir) {
    return indexDir
        .resolve("evidence")
        .resolve(HexFormat.of().formatHex(tenant.getBytes(StandardCharsets.UTF_8)))
        .resolve(Integer.toString(partition));
  }

  /** The origin line of its checkpoints: {@code <prefix>/<tenant>/<partition>}. */
  public String origin(String prefix) {
    return prefix + "/" + tenant + "/" + partition;
  }

  /** Its key in a commit's user data. */
  public String commitKey() {
    return KEY_PREFIX
        + HexFormat.of().formatHex(tenant.getBytes(StandardCharsets.UTF_8))
        + "/"
        + partition;
  }

  /** The log a commit user-data key names, or null for other keys. */
  public static LogId fromCommitKey(String key) {
    if (!key.startsWith(KEY_PREFIX)) {
      return null;
    }
    String rest = key.substring(KEY_PREFIX.length());
    int slash = rest.lastIndexOf('/');
    return new LogId(
        new String(HexFormat.of().parseHex(rest.substring(0, slash)), StandardCharsets.UTF_8),
        Integer.parseInt(rest.substring(slash + 1)));
  }

  @Override
  public int compareTo(LogId o) {
    int t = tenant.compareTo(o.tenant);
    return t != 0 ? t : Integer.compare(partition, o.partition);
  }
}
