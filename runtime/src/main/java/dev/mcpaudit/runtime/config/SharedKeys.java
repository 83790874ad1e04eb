package dev.mcpaudit.runtime.config;

import dev.mcpaudit.kafka.client.KafkaClientConfigException;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.client.KafkaClients.Passthrough;
import dev.mcpaudit.kafka.stamp.StampKey;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.schema.validation.EventValidator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keys every role reads alike: where Kafka is, the topic names, the contract's clock rule, and how
 * a listener that takes tokens serves HTTPS.
 */
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
  public static final ConfigKey<String> ALERT_CHANGES =
      ConfigKey.string(
          "topics.alert-changes",
          Topics.DEFAULT_ALERT_CHANGES,
          "analysts' changes to alerts (compacted; the api creates it if missing)");
  public static final ConfigKey<String> CHECKPOINTS =
      ConfigKey.string(
          "topics.checkpoints",
          Topics.DEFAULT_CHECKPOINTS,
          "signed checkpoints of the evidence logs (compacted; the indexer creates it if missing)");
  public static final ConfigKey<String> RULES =
      ConfigKey.string(
          "topics.rules",
          Topics.DEFAULT_RULES,
          "analysts' alert rules (compacted; the api creates it if missing, detectors follow it)");
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

  public static final ConfigKey<String> SIGNING_KEY =
      ConfigKey.string(
          "stamp.signing-key",
          "",
          "id of the stamp.keys.<id> this role stamps its records with (needed only when several"
              + " roles keys are configured, as while rotating)");

  /**
   * The stamp keys, {@code stamp.keys.<id> = <key file>} (docs/provenance.md): every role accepts
   * stamps made with any of them.
   */
  public static final String STAMP_KEYS = "stamp.keys.";

  static final List<ConfigKey<?>> ALL =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of(
                  BOOTSTRAP_SERVERS,
                  DECISIONS,
                  DEAD_LETTER,
                  ALERTS,
                  ALERT_CHANGES,
                  CHECKPOINTS,
                  RULES,
                  PARTITIONS,
                  REPLICATION_FACTOR,
                  MAX_FUTURE_SKEW,
                  SIGNING_KEY),
              dev.mcpaudit.runtime.http.HttpSecurity.KEYS.stream())
          .toList();
  static final List<String> PREFIXES =
      List.of("kafka.", "topics.", "validation.", "http.", "stamp.");

  /**
   * Any Kafka client property, for every client of every role ({@code
   * kafka.client.security.protocol=SASL_SSL}); checked by {@link #kafkaClients}.
   */
  public static final String KAFKA_CLIENT = "kafka.client.";

  private SharedKeys() {}

  /**
   * The role's Kafka setup: {@code kafka.bootstrap-servers}, then {@code kafka.client.*}, then the
   * role's own {@code <role>.kafka.client.*} (a principal of its own), each checked by {@link
   * KafkaClients}.
   *
   * @param rolePrefix the role's key prefix ({@code indexer}, {@code api})
   * @param extraKnown client properties the role knows beyond producer, consumer and Admin ones
   */
  public static KafkaClients kafkaClients(Settings s, String rolePrefix, Set<String> extraKnown) {
    List<Passthrough> entries = new ArrayList<>();
    for (String prefix : List.of("kafka.client", rolePrefix + ".kafka.client")) {
      s.under(prefix).forEach((k, v) -> entries.add(new Passthrough(prefix + "." + k, k, v)));
    }
    try {
      return KafkaClients.of(BOOTSTRAP_SERVERS.from(s), entries, extraKnown);
    } catch (KafkaClientConfigException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  public static KafkaClients kafkaClients(Settings s, String rolePrefix) {
    return kafkaClients(s, rolePrefix, Set.of());
  }

  /**
   * The role's stamp keys, read from their files: what it accepts, and the one it signs with
   * ({@code stamp.signing-key}, or the only {@code roles} key when there is one).
   */
  public static Stamps stamps(Settings s) {
    List<StampKey> keys = new ArrayList<>();
    for (Map.Entry<String, String> e : s.under("stamp.keys").entrySet()) {
      StampKey k;
      try {
        k = StampKey.read(Path.of(e.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new ConfigException(STAMP_KEYS + e.getKey() + ": " + ex.getMessage());
      }
      if (!k.id().equals(e.getKey())) {
        throw new ConfigException(
            STAMP_KEYS + e.getKey() + ": the file holds key " + k.id() + ", not " + e.getKey());
      }
      keys.add(k);
    }
    String chosen = SIGNING_KEY.from(s);
    List<StampKey> roles = keys.stream().filter(k -> k.scope() == StampKey.Scope.ROLES).toList();
    StampKey signing;
    if (!chosen.isBlank()) {
      signing =
          roles.stream()
              .filter(k -> k.id().equals(chosen))
              .findFirst()
              .orElseThrow(
                  () ->
                      new ConfigException(
                          "stamp.signing-key: no roles key "
                              + chosen
                              + " among stamp.keys.* ("
                              + keys.stream().map(StampKey::id).toList()
                              + ")"));
    } else if (roles.size() > 1) {
      throw new ConfigException(
          "stamp.signing-key: several roles keys are configured "
              + roles.stream().map(StampKey::id).toList()
              + "; name the one this role stamps with");
    } else {
      signing = roles.isEmpty() ? null : roles.get(0);
    }
    return new Stamps(keys, signing);
  }

  public static Topics topics(Settings s) {
    return new Topics(
        DECISIONS.from(s), DEAD_LETTER.from(s), ALERTS.from(s), ALERT_CHANGES.from(s));
  }
}
