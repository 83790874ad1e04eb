package dev.mcpaudit.detector;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.detector.webhook.WebhookConfig;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.TopicSettings;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.file.Path;

/**
 * Settings of the detector role.
 *
 * @param bootstrapServers Kafka ({@code kafka.bootstrap-servers}, default 127.0.0.1:9092)
 * @param topics topic names ({@code topics.*})
 * @param applicationId Kafka Streams application id: detectors sharing it share the work, and it
 *     names the internal topics ({@code detector.application-id}, default mcp-audit-detector)
 * @param stateDir local state (RocksDB), rebuilt from changelogs if lost ({@code detector.state-dir}, default ./data/detector)
 * @param threads stream threads ({@code detector.threads}, default 1)
 * @param topicPartitions partitions of the decisions and alerts topics if the detector has to
 *     create them ({@code topics.partitions}, default 6)
 * @param replicationFactor of the topics it creates, internal ones included ({@code topics.replication-factor}, default 1)
 * @param rules the alert thresholds ({@code detector.*}, see {@link Rules})
 * @param webhook the webhook sink ({@code detector.webhook.*}, see {@link WebhookConfig})
 * @param host ops listener address ({@code detector.host}, default 127.0.0.1)
 * @param port ops listener for /health and /metrics ({@code detector.port}, default 8083; 0 picks one)
 */
public record DetectorConfig(
    String bootstrapServers,
    Topics topics,
    String applicationId,
    Path stateDir,
    int threads,
    int topicPartitions,
    short replicationFactor,
    Rules rules,
    WebhookConfig webhook,
    String host,
    int port) {

  public static DetectorConfig from(Settings s) {
    return new DetectorConfig(
        s.string("kafka.bootstrap-servers", "127.0.0.1:9092"),
        TopicSettings.from(s),
        s.string("detector.application-id", "mcp-audit-detector"),
        Path.of(s.string("detector.state-dir", "./data/detector")),
        s.integer("detector.threads", 1, 1, 64),
        s.integer("topics.partitions", 6, 1, 10_000),
        (short) s.integer("topics.replication-factor", 1, 1, 16),
        Rules.from(s),
        WebhookConfig.from(s),
        s.string("detector.host", "127.0.0.1"),
        s.integer("detector.port", 8083, 0, 65535));
  }
}
