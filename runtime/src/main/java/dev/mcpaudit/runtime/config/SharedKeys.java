package dev.mcpaudit.runtime.config;

import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.schema.validation.EventValidator;
import java.time.Duration;
import java.util.List;

/** Keys every role reads alike: where Kafka is, the topic names, the contract's clock rule. */
public final class SharedKeys {
  public static final ConfigKey<String> BOOTSTRAP_SERVERS =
      ConfigKey.string(
          "kafka.bootstrap-servers",
          "127.0.0.1:9092",
          "the Kafka brokers, host:port comma separated");
  public static final ConfigKey<String> DECISIONS =
      ConfigKey.string("topics.decisions", Topics.DEFAULT_DECISIONS, "the decisions topic");
  public static final ConfigKey<String> DEAD_LETTER =
      ConfigKey.string(
          "topics.dead-letter",
          Topics.DEFAULT_DEAD_LETTER,
          "where refused records go, with the reason");
  public static final ConfigKey<String> ALERTS =
      ConfigKey.string("topics.alerts", Topics.DEFAULT_ALERTS, "the alerts topic");
  public static final ConfigKey<Integer> PARTITIONS =
      ConfigKey.integer(
          "topics.partitions",
          6,
          1,
          10_000,
          "partitions of the topics the detector creates if they are missing");
  public static final ConfigKey<Integer> REPLICATION_FACTOR =
      ConfigKey.integer(
          "topics.replication-factor",
          1,
          1,
          16,
          "replication of the topics the detector creates, internal ones included");
  public static final ConfigKey<Duration> MAX_FUTURE_SKEW =
      ConfigKey.duration(
              "validation.max-future-skew",
              EventValidator.DEFAULT_MAX_FUTURE_SKEW,
              "how far occurred_at may be ahead of the receiver's clock (at most 24h)")
          .check(
              d -> d.compareTo(Duration.ofHours(24)) <= 0,
              "at most 24h (a gateway clock further ahead is a fault)");

  static final List<ConfigKey<?>> ALL =
      List.of(
          BOOTSTRAP_SERVERS,
          DECISIONS,
          DEAD_LETTER,
          ALERTS,
          PARTITIONS,
          REPLICATION_FACTOR,
          MAX_FUTURE_SKEW);
  static final List<String> PREFIXES = List.of("kafka.", "topics.", "validation.");

  private SharedKeys() {}

  public static Topics topics(Settings s) {
    return new Topics(DECISIONS.from(s), DEAD_LETTER.from(s), ALERTS.from(s));
  }
}
