package dev.mcpaudit.detector;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.detector.webhook.WebhookConfig;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.runtime.config.ConfigDef;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.SharedKeys;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the detector role. Each key, its default and its checks are declared once, in the
 * {@code ConfigKey} constants below ({@link #DEF} lists them).
 *
 * @param kafka where Kafka is and how to reach it ({@code kafka.bootstrap-servers}, {@code
 *     kafka.client.*}, {@code detector.kafka.client.*})
 * @param topics topic names ({@code topics.*})
 * @param applicationId Kafka Streams application id: detectors sharing it share the work, and it
 *     names the internal topics ({@code detector.application-id})
 * @param stateDir local state (RocksDB), rebuilt from changelogs if lost ({@code
 *     detector.state-dir})
 * @param threads stream threads ({@code detector.threads})
 * @param topicPartitions partitions of the decisions and alerts topics if the detector has to
 *     create them ({@code topics.partitions})
 * @param replicationFactor of the topics it creates, internal ones included ({@code
 *     topics.replication-factor})
 * @param rules the alert thresholds ({@code detector.*}, see {@link Rules})
 * @param webhook the webhook sink ({@code detector.webhook.*}, see {@link WebhookConfig})
 * @param host ops listener address ({@code detector.host})
 * @param port ops listener for /health and /metrics ({@code detector.port})
 * @param maxLag readiness turns false while the oldest decision not yet judged has waited longer
 *     ({@code detector.max-lag})
 * @param stamps the key alerts are stamped with, and the keys whose stamps prove an alert (for the
 *     webhook sink), a {@code _system} record (docs/provenance.md; {@code stamp.keys.*}) or a rule
 * @param rulesTopic the analysts' alert rules the detector follows ({@code topics.rules}, README
 *     "Alert rules")
 */
public record DetectorConfig(
    KafkaClients kafka,
    Topics topics,
    String applicationId,
    Path stateDir,
    int threads,
    int topicPartitions,
    short replicationFactor,
    Rules rules,
    WebhookConfig webhook,
    String host,
    int port,
    java.time.Duration maxLag,
    dev.mcpaudit.kafka.stamp.Stamps stamps,
    String rulesTopic) {

  static final ConfigKey<String> APPLICATION_ID =
      ConfigKey.string(
          "detector.application-id",
          "mcp-audit-detector",
          "Kafka Streams application id: detectors sharing it share the partitions; it prefixes internal topics");
  static final ConfigKey<String> STATE_DIR =
      ConfigKey.string(
          "detector.state-dir",
          "./data/detector",
          "local state (RocksDB), rebuilt from the changelog topics when lost");
  static final ConfigKey<Integer> THREADS =
      ConfigKey.integer("detector.threads", 1, 1, 64, "stream threads");
  static final ConfigKey<String> HOST =
      ConfigKey.string("detector.host", "127.0.0.1", "/health and /metrics listener address");
  static final ConfigKey<Integer> PORT =
      ConfigKey.integer(
          "detector.port", 8083, 0, 65535, "/health and /metrics listener port (0 picks one)");

  static final ConfigKey<java.time.Duration> MAX_LAG =
      ConfigKey.duration(
          "detector.max-lag",
          java.time.Duration.ofMinutes(5),
          "not ready while the oldest decision not yet judged has waited longer than this");

  /**
   * Streams' own settings may be passed through too ({@code
   * detector.kafka.client.num.standby.replicas}).
   */
  private static final java.util.Set<String> STREAMS_PROPERTIES =
      org.apache.kafka.streams.StreamsConfig.configDef().names();

  public static final ConfigDef DEF = ConfigDef.of("detector", List.of("detector."), keys());

  private static List<ConfigKey<?>> keys() {
    List<ConfigKey<?>> all =
        new ArrayList<>(List.of(APPLICATION_ID, STATE_DIR, THREADS, HOST, PORT, MAX_LAG));
    all.addAll(Rules.KEYS);
    all.addAll(WebhookConfig.KEYS);
    return all;
  }

  /** Kafka's bootstrap list, for messages and tests. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public static DetectorConfig from(Settings s) {
    DEF.check(s);
    return new DetectorConfig(
        SharedKeys.kafkaClients(s, "detector", STREAMS_PROPERTIES),
        SharedKeys.topics(s),
        APPLICATION_ID.from(s),
        Path.of(STATE_DIR.from(s)),
        THREADS.from(s),
        SharedKeys.PARTITIONS.from(s),
        (short) (int) SharedKeys.REPLICATION_FACTOR.from(s),
        Rules.from(s),
        WebhookConfig.from(s),
        HOST.from(s),
        PORT.from(s),
        MAX_LAG.from(s),
        SharedKeys.stamps(s),
        SharedKeys.RULES.from(s));
  }
}
