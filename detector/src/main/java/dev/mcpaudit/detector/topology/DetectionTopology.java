package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.topic.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector's topology. Events are bound once into {@link Observation}s, then go three ways: by
 * handle as partitioned (revoked, expired, inconsistent), by tenant and nonce (replay) and, denies
 * only, by tenant and actor (deny burst), each through a repartition topic. Every store is
 * persistent with a changelog, so a restarted or moved task resumes with its memory intact; under
 * exactly_once_v2 the alerts, the store updates and the input offsets commit together.
 */
public final class DetectionTopology {
  private static final Logger log = LoggerFactory.getLogger(DetectionTopology.class);
  private static final Serde<Observation> OBSERVATION = JsonSerde.of(Observation.class);
  private static final Serde<Alert> ALERT = JsonSerde.of(Alert.class);

  /**
   * Added to every window store's retention. A repartitioned task's stream time (which expires
   * window-store segments) follows the fastest upstream task and can run ahead of the events it
   * still has to see; this keeps their neighbours in the stores meanwhile.
   */
  static final Duration SKEW_ALLOWANCE = Duration.ofHours(1);

  private static final Serde<HandleProcessor.PendingPair> PENDING =
      JsonSerde.of(HandleProcessor.PendingPair.class);

  private DetectionTopology() {}

  public static Topology build(Topics topics, Rules rules, DetectorMetrics metrics) {
    StreamsBuilder builder = new StreamsBuilder();
    Duration grace = rules.grace();
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                HandleProcessor.FACTS,
                rules.handleMemory().multipliedBy(2).plus(grace).plus(SKEW_ALLOWANCE),
                Duration.ofMillis(1),
                true),
            Serdes.String(),
            OBSERVATION));
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                HandleProcessor.DECISIONS,
                HandleProcessor.decisionRetention(rules).plus(SKEW_ALLOWANCE),
                Duration.ofMillis(1),
                true),
            Serdes.String(),
            OBSERVATION));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(HandleProcessor.PENDING), Serdes.String(), PENDING));
    addSuppression(builder, HandleProcessor.ISSUED, rules);
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                ReplayProcessor.NONCES,
                rules.nonceMemory().multipliedBy(2).plus(grace).plus(SKEW_ALLOWANCE),
                Duration.ofMillis(1),
                true),
            Serdes.String(),
            OBSERVATION));
    addSuppression(builder, ReplayProcessor.ISSUED, rules);
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                DenyBurstProcessor.DENIES,
                rules.denyBurstWindow().multipliedBy(2).plus(grace).plus(SKEW_ALLOWANCE),
                Duration.ofMillis(1),
                true),
            Serdes.String(),
            Serdes.String()));
    addSuppression(builder, DenyBurstProcessor.ISSUED, rules);

    KStream<String, Observation> events =
        builder.stream(
                topics.decisions(),
                Consumed.with(Serdes.String(), Serdes.ByteArray())
                    .withTimestampExtractor(new OccurredAtExtractor())
                    .withName("decisions"))
            .process(() -> new Bind(metrics), Named.as("bind"));

    Produced<String, Alert> toAlerts = Produced.with(Serdes.String(), ALERT);

    events
        .filter((k, o) -> o.handle() != null, Named.as("with-handle"))
        .process(
            () -> new HandleProcessor(rules, metrics),
            Named.as("handle-rules"),
            HandleProcessor.FACTS,
            HandleProcessor.DECISIONS,
            HandleProcessor.PENDING,
            HandleProcessor.ISSUED)
        .to(topics.alerts(), toAlerts);

    events
        .filter(
            (k, o) -> o.kind() == EventKind.DECISION && o.nonce() != null, Named.as("with-nonce"))
        .selectKey((k, o) -> Observation.key(o.tenant(), o.nonce()), Named.as("key-by-nonce"))
        .repartition(Repartitioned.with(Serdes.String(), OBSERVATION).withName("by-nonce"))
        .process(
            () -> new ReplayProcessor(rules, metrics),
            Named.as("replay-rule"),
            ReplayProcessor.NONCES,
            ReplayProcessor.ISSUED)
        .to(topics.alerts(), toAlerts);

    events
        .filter((k, o) -> o.isDeny(), Named.as("denies"))
        .selectKey((k, o) -> Observation.key(o.tenant(), o.actor()), Named.as("key-by-actor"))
        .repartition(Repartitioned.with(Serdes.String(), OBSERVATION).withName("by-actor"))
        .process(
            () -> new DenyBurstProcessor(rules, metrics),
            Named.as("deny-burst-rule"),
            DenyBurstProcessor.DENIES,
            DenyBurstProcessor.ISSUED)
        .to(topics.alerts(), toAlerts);
    return builder.build();
  }

  /**
   * Binds each record once and stamps it with its partition's watermark (see {@link Observation}).
   */
  private static final class Bind
      implements org.apache.kafka.streams.processor.api.Processor<
          String, byte[], String, Observation> {
    private final DetectorMetrics metrics;
    private org.apache.kafka.streams.processor.api.ProcessorContext<String, Observation> context;

    Bind(DetectorMetrics metrics) {
      this.metrics = metrics;
    }

    @Override
    public void init(
        org.apache.kafka.streams.processor.api.ProcessorContext<String, Observation> context) {
      this.context = context;
    }

    @Override
    public void process(org.apache.kafka.streams.processor.api.Record<String, byte[]> record) {
      bind(record.value(), metrics)
          .ifPresent(
              o ->
                  context.forward(
                      record.withValue(o.withWatermark(context.currentStreamTimeMs()))));
    }
  }

  private static void addSuppression(StreamsBuilder builder, String name, Rules rules) {
    Duration keep = rules.suppression().multipliedBy(2).plus(rules.grace()).plus(SKEW_ALLOWANCE);
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(name, keep, Duration.ofMillis(1), false),
            Serdes.String(),
            Serdes.String()));
  }

  /**
   * The collector validated every event before it reached the topic, so this binds without
   * validating again. A record that still does not bind (another producer) is counted and skipped:
   * the indexer dead-letters it, so it is not lost.
   */
  static Optional<Observation> bind(byte[] bytes, DetectorMetrics metrics) {
    if (bytes == null || bytes.length == 0) {
      metrics.unreadable();
      return Optional.empty();
    }
    try {
      AuthzEvent e = EventCodec.mapper().readValue(bytes, AuthzEvent.class);
      if (e.occurredAt() == null
          || e.tenant() == null
          || e.actor() == null
          || e.actor().id() == null) {
        throw new IOException("missing occurred_at, tenant or actor");
      }
      return Optional.of(Observation.of(e));
    } catch (IOException | RuntimeException e) {
      metrics.unreadable();
      log.warn("skipping a record that is not a contract event error={}", e.getMessage());
      return Optional.empty();
    }
  }
}
