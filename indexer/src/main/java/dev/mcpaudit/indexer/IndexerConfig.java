package dev.mcpaudit.indexer;

import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.indexer.evidence.EvidenceConfig;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.opensearch.IndexBackend;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.runtime.config.ConfigDef;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.SharedKeys;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the indexer role. Each key, its default and its checks are declared once, in the
 * {@code ConfigKey} constants below ({@link #DEF} lists them).
 *
 * @param dataDir where the indexes live: events in {@code <data-dir>/index}, alerts in {@code
 *     <data-dir>/alerts} ({@code indexer.data-dir})
 * @param kafka where Kafka is and how to reach it ({@code kafka.bootstrap-servers}, {@code
 *     kafka.client.*}, {@code indexer.kafka.client.*})
 * @param topics topic names ({@code topics.*})
 * @param groupId consumer group; indexers sharing it share the partitions ({@code
 *     indexer.group-id})
 * @param instanceId static group membership: a restarted indexer gets its partitions (its shard)
 *     back at once instead of after a session timeout ({@code indexer.instance-id})
 * @param threads indexing threads ({@code indexer.threads})
 * @param ramBufferMb heap Lucene buffers before it flushes a segment ({@code indexer.ram-buffer})
 * @param commitInterval how often the index and its offsets are made durable ({@code
 *     indexer.commit-interval})
 * @param refreshInterval how often new events become searchable in this process ({@code
 *     indexer.refresh-interval})
 * @param retention events older than this (by occurred_at) leave the index; zero keeps them ({@code
 *     indexer.retention})
 * @param retentionCheck how often retention runs ({@code indexer.retention-check})
 * @param host ops listener address ({@code indexer.host})
 * @param port ops listener port for /health and /metrics ({@code indexer.port})
 * @param storedCompression how stored events are compressed: {@code deflate} (smaller) or {@code
 *     lz4} (faster pages of events) ({@code indexer.stored-compression})
 * @param maxFutureSkew how far a read event's {@code occurred_at} may be ahead of this indexer's
 *     clock ({@code validation.max-future-skew}); a record further ahead did not pass a receiver
 *     and goes to the dead-letter topic
 * @param stamps the keys whose stamps prove how a record arrived, and the one the indexer's own
 *     alerts are stamped with ({@code stamp.keys.*}, {@code stamp.signing-key}; docs/provenance.md)
 * @param backend where events and alerts are indexed ({@code index.backend})
 * @param openSearch the cluster, with {@code index.backend=opensearch}; null otherwise ({@code
 *     opensearch.*}; docs/opensearch.md)
 * @param evidence the evidence log's settings; null when it is off ({@code evidence.*}; README,
 *     "Verifiable evidence")
 */
public record IndexerConfig(
    Path dataDir,
    KafkaClients kafka,
    Topics topics,
    String groupId,
    String instanceId,
    int threads,
    double ramBufferMb,
    Duration commitInterval,
    Duration refreshInterval,
    Duration retention,
    Duration retentionCheck,
    String host,
    int port,
    StoredCompression storedCompression,
    Duration maxFutureSkew,
    Stamps stamps,
    IndexBackend backend,
    OpenSearchSettings openSearch,
    EvidenceConfig evidence) {

  /** Stable across restarts of the same indexer, different for two indexers on one host. */
  static String defaultInstanceId(Path dataDir) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    String dir = dataDir.toAbsolutePath().normalize().toString();
    return "indexer-" + host + "-" + Integer.toHexString(dir.hashCode());
  }

  public Path indexPath() {
    return dataDir.resolve("index");
  }

  /** The alerts index, beside the events index: {@code <data-dir>/alerts}. */
  public Path alertsPath() {
    return dataDir.resolve("alerts");
  }

  static final ConfigKey<String> DATA_DIR =
      ConfigKey.string(
          "indexer.data-dir",
          "./data",
          "events are indexed in <data-dir>/index, alerts in <data-dir>/alerts");
  static final ConfigKey<String> GROUP_ID =
      ConfigKey.string(
          "indexer.group-id",
          "mcp-audit-indexer",
          "consumer group: indexers sharing it share the partitions, each keeps its own index");
  static final ConfigKey<String> INSTANCE_ID =
      ConfigKey.string(
          "indexer.instance-id",
          null,
          "static membership id, stable across restarts (default: host name and data directory)");
  static final ConfigKey<Integer> THREADS =
      ConfigKey.integer("indexer.threads", 2, 1, 64, "indexing threads");
  static final ConfigKey<Long> RAM_BUFFER =
      ConfigKey.bytes(
          "indexer.ram-buffer", 64L << 20, "heap Lucene may buffer before it writes a segment");
  static final ConfigKey<Duration> COMMIT_INTERVAL =
      ConfigKey.duration(
          "indexer.commit-interval",
          Duration.ofSeconds(5),
          "how often the index and its Kafka offsets become durable");
  static final ConfigKey<Duration> REFRESH_INTERVAL =
      ConfigKey.duration(
          "indexer.refresh-interval",
          Duration.ofMillis(200),
          "how often new events become searchable in the indexer's process");
  static final ConfigKey<Duration> RETENTION =
      ConfigKey.duration(
          "indexer.retention",
          Duration.ofDays(30),
          "events older than this (by occurred_at) are deleted; 0s keeps everything");
  static final ConfigKey<Duration> RETENTION_CHECK =
      ConfigKey.duration(
          "indexer.retention-check", Duration.ofHours(1), "how often retention runs");
  static final ConfigKey<String> HOST =
      ConfigKey.string("indexer.host", "127.0.0.1", "/health and /metrics listener address");
  static final ConfigKey<Integer> PORT =
      ConfigKey.integer(
          "indexer.port", 8082, 0, 65535, "/health and /metrics listener port (0 picks one)");
  static final ConfigKey<StoredCompression> STORED_COMPRESSION =
      ConfigKey.of(
          "indexer.stored-compression",
          "deflate|lz4",
          "deflate",
          "how stored events are compressed: deflate (smaller) or lz4 (pages load faster)",
          (name, text) -> {
            try {
              return StoredCompression.valueOf(text.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
              throw new ConfigException(name + ": expected deflate or lz4, got " + text);
            }
          });

  /** Every key the indexer reads. */
  public static final ConfigDef DEF =
      ConfigDef.of(
          "indexer",
          java.util.stream.Stream.concat(
                  java.util.stream.Stream.of("indexer.", "evidence."),
                  OpenSearchSettings.PREFIXES.stream())
              .toList(),
          java.util.stream.Stream.<dev.mcpaudit.runtime.config.ConfigKey<?>>concat(
                  java.util.stream.Stream.of(
                      DATA_DIR,
                      GROUP_ID,
                      INSTANCE_ID,
                      THREADS,
                      RAM_BUFFER,
                      COMMIT_INTERVAL,
                      REFRESH_INTERVAL,
                      RETENTION,
                      RETENTION_CHECK,
                      HOST,
                      PORT,
                      STORED_COMPRESSION),
                  java.util.stream.Stream.concat(
                      EvidenceConfig.KEYS.stream(), OpenSearchSettings.KEYS.stream()))
              .toList());

  /** Kafka's bootstrap list, for messages and tests. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public static IndexerConfig from(Settings s) {
    DEF.check(s);
    Path dataDir = Path.of(DATA_DIR.from(s));
    String instanceId = INSTANCE_ID.from(s);
    IndexBackend backend = IndexBackend.KEY.from(s);
    EvidenceConfig evidence = EvidenceConfig.from(s);
    return new IndexerConfig(
        dataDir,
        SharedKeys.kafkaClients(s, "indexer"),
        SharedKeys.topics(s),
        GROUP_ID.from(s),
        instanceId == null ? defaultInstanceId(dataDir) : instanceId,
        THREADS.from(s),
        RAM_BUFFER.from(s) / (1024.0 * 1024.0),
        COMMIT_INTERVAL.from(s),
        REFRESH_INTERVAL.from(s),
        RETENTION.from(s),
        RETENTION_CHECK.from(s),
        HOST.from(s),
        PORT.from(s),
        STORED_COMPRESSION.from(s),
        SharedKeys.MAX_FUTURE_SKEW.from(s),
        SharedKeys.stamps(s),
        backend,
        backend == IndexBackend.OPENSEARCH ? OpenSearchSettings.from(s) : null,
        evidence);
  }

  /** {@code indexer.stored-compression} of {@code s}: deflate (the default) or lz4. */
  public static StoredCompression storedCompression(Settings s) {
    return STORED_COMPRESSION.from(s);
  }
}
