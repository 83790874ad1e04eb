package dev.mcpaudit.indexer;

import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.TopicSettings;
import dev.mcpaudit.runtime.config.ValidationSettings;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the indexer role.
 *
 * @param dataDir where the indexes live: events in {@code <data-dir>/index}, alerts in
 *     {@code <data-dir>/alerts} ({@code indexer.data-dir}, default ./data)
 * @param bootstrapServers Kafka ({@code kafka.bootstrap-servers}, default 127.0.0.1:9092)
 * @param topics topic names ({@code topics.*})
 * @param groupId consumer group; indexers sharing it share the partitions ({@code indexer.group-id}, default mcp-audit-indexer)
 * @param instanceId static group membership: a restarted indexer gets its partitions (its shard)
 *     back at once instead of after a session timeout ({@code indexer.instance-id}, default
 *     derived from the host name and the data directory)
 * @param threads indexing threads ({@code indexer.threads}, default 2)
 * @param ramBufferMb heap Lucene buffers before it flushes a segment ({@code indexer.ram-buffer}, default 64MiB)
 * @param commitInterval how often the index and its offsets are made durable ({@code indexer.commit-interval}, default 5s)
 * @param refreshInterval how often new events become searchable in this process ({@code indexer.refresh-interval}, default 200ms)
 * @param retention events older than this (by occurred_at) leave the index; zero keeps them ({@code indexer.retention}, default 30d)
 * @param retentionCheck how often retention runs ({@code indexer.retention-check}, default 1h)
 * @param host ops listener address ({@code indexer.host}, default 127.0.0.1)
 * @param port ops listener port for /health and /metrics ({@code indexer.port}, default 8082; 0 picks one)
 * @param storedCompression how stored events are compressed: {@code deflate} (smaller) or {@code lz4}
 *     (faster pages of events) ({@code indexer.stored-compression}, default deflate)
 * @param maxFutureSkew how far a read event's {@code occurred_at} may be ahead of this indexer's
 *     clock ({@code validation.max-future-skew}, default 5m, as the collector); a record further
 *     ahead did not pass a receiver and goes to the dead-letter topic
 */
public record IndexerConfig(
    Path dataDir,
    String bootstrapServers,
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
    Duration maxFutureSkew) {

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

  public static IndexerConfig from(Settings s) {
    Path dataDir = Path.of(s.string("indexer.data-dir", "./data"));
    return new IndexerConfig(
        dataDir,
        s.string("kafka.bootstrap-servers", "127.0.0.1:9092"),
        TopicSettings.from(s),
        s.string("indexer.group-id", "mcp-audit-indexer"),
        s.string("indexer.instance-id", defaultInstanceId(dataDir)),
        s.integer("indexer.threads", 2, 1, 64),
        s.bytes("indexer.ram-buffer", 64L << 20) / (1024.0 * 1024.0),
        s.duration("indexer.commit-interval", Duration.ofSeconds(5)),
        s.duration("indexer.refresh-interval", Duration.ofMillis(200)),
        s.duration("indexer.retention", Duration.ofDays(30)),
        s.duration("indexer.retention-check", Duration.ofHours(1)),
        s.string("indexer.host", "127.0.0.1"),
        s.integer("indexer.port", 8082, 0, 65535),
        storedCompression(s),
        ValidationSettings.maxFutureSkew(s));
  }

  /** {@code indexer.stored-compression} of {@code s}: deflate (the default) or lz4. */
  public static StoredCompression storedCompression(Settings s) {
    String text = s.string("indexer.stored-compression", "deflate");
    try {
      return StoredCompression.valueOf(text.strip().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new dev.mcpaudit.runtime.config.ConfigException("indexer.stored-compression: expected deflate or lz4, got " + text);
    }
  }
}
