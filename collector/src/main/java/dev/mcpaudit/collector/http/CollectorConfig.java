package dev.mcpaudit.collector.http;

import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.TopicSettings;
import dev.mcpaudit.schema.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Settings of the HTTP collector role.
 *
 * @param host address to listen on ({@code collector.host}, default 127.0.0.1: loopback unless told)
 * @param port port ({@code collector.port}, default 8081; 0 picks a free one)
 * @param bootstrapServers Kafka ({@code kafka.bootstrap-servers}, default 127.0.0.1:9092)
 * @param topics topic names ({@code topics.decisions}, {@code topics.dead-letter}, {@code topics.alerts})
 * @param bodyLimitBytes largest request body, compressed and decompressed ({@code collector.body-limit}, default 10MiB)
 * @param kafkaTimeout how long a request waits for Kafka's acknowledgement before answering 503
 *     ({@code collector.kafka-timeout}, default 15s)
 * @param sourceTokens SHA-256 digest of each source token → the principal it authenticates
 *     ({@code collector.token.<principal> = sha256:<hex>}; make one with {@code mcp-audit token new})
 */
public record CollectorConfig(
    String host,
    int port,
    String bootstrapServers,
    Topics topics,
    long bodyLimitBytes,
    Duration kafkaTimeout,
    Map<String, String> sourceTokens) {

  public CollectorConfig {
    sourceTokens = Map.copyOf(sourceTokens);
    if (bodyLimitBytes < 16 * 1024) {
      throw new ConfigException("collector.body-limit: must be at least 16KiB (one event), got " + bodyLimitBytes);
    }
  }

  public static CollectorConfig from(Settings s) {
    Map<String, String> tokens = new HashMap<>();
    s.under("collector.token").forEach((principal, digest) -> {
      if (!TokenDigest.isDigest(digest)) {
        throw new ConfigException("collector.token." + principal
            + ": must be a digest sha256:<64 hex digits>, never the token itself (mcp-audit token new prints both)");
      }
      if (tokens.put(digest, principal) != null) {
        throw new ConfigException("collector.token." + principal + ": the same token digest is configured twice");
      }
    });
    return new CollectorConfig(
        s.string("collector.host", "127.0.0.1"),
        s.integer("collector.port", 8081, 0, 65535),
        s.string("kafka.bootstrap-servers", "127.0.0.1:9092"),
        TopicSettings.from(s),
        s.bytes("collector.body-limit", 10L << 20),
        s.duration("collector.kafka-timeout", Duration.ofSeconds(15)),
        tokens);
  }
}
