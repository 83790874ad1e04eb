package dev.mcpaudit.detector.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.rules.EventDocument;
import dev.mcpaudit.rules.RuleBook;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Tenants;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.ValidationError;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
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
 * only, by tenant and actor (deny burst), and, future-dated ones only, by tenant and source, each
 * through a repartition topic. Every store is persistent with a changelog, so a restarted or moved
 * task resumes with its memory intact; under exactly_once_v2 the alerts, the store updates and the
 * input offsets commit together.
 */
public final class DetectionTopology {
  private static final Logger log = LoggerFactory.getLogger(DetectionTopology.class);
  private static final Serde<Observation> OBSERVATION = ObservationSerde.INSTANCE;
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
    return build(topics, rules, metrics, Clock.systemUTC());
  }

  /**
   * @param clock the detector's wall clock: event time never runs past it plus {@code
   *     detector.max-future-skew}, and events are validated against it as the collector does
   */
  public static Topology build(Topics topics, Rules rules, DetectorMetrics metrics, Clock clock) {
    return build(topics, rules, metrics, clock, Stamps.none());
  }

  /**
   * @param stamps the key alerts are stamped with, without which the indexer and the webhook sink
   *     refuse them, and the keys that prove a {@code _system} record is the API's
   *     (docs/provenance.md)
   */
  public static Topology build(
      Topics topics, Rules rules, DetectorMetrics metrics, Clock clock, Stamps stamps) {
    return build(topics, rules, metrics, clock, stamps, RuleBook::empty);
  }

  /**
   * @param book the analysts' rules as live now (README, "Alert rules"), asked at every event
   */
  public static Topology build(
      Topics topics,
      Rules rules,
      DetectorMetrics metrics,
      Clock clock,
      Stamps stamps,
      Supplier<RuleBook> book) {
    StreamsBuilder builder = new StreamsBuilder();
    // State is kept for the longest window of any tenant; each event is judged by its own.
    Rules widest = rules.widest();
    Duration grace = widest.grace();
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
                HandleProcessor.decisionRetention(widest).plus(SKEW_ALLOWANCE),
                Duration.ofMillis(1),
                true),
            Serdes.String(),
            OBSERVATION));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(HandleProcessor.PENDING), Serdes.String(), PENDING));
    addSuppression(builder, HandleProcessor.ISSUED, widest);
    Duration nonceKeep = rules.nonceMemory().multipliedBy(2).plus(grace).plus(SKEW_ALLOWANCE);
    Duration denyKeep = widest.denyBurstWindow().multipliedBy(2).plus(grace).plus(SKEW_ALLOWANCE);
    if (rules.backlogProofState()) {
      for (String name :
          List.of(
              ReplayProcessor.NONCES,
              ReplayProcessor.ISSUED,
              DenyBurstProcessor.DENIES,
              DenyBurstProcessor.ISSUED,
              FutureTimestampProcessor.ISSUED)) {
        addTimeKeyed(builder, name);
      }
    } else {
      builder.addStateStore(
          Stores.windowStoreBuilder(
              Stores.persistentWindowStore(
                  ReplayProcessor.NONCES, nonceKeep, Duration.ofMillis(1), true),
              Serdes.String(),
              OBSERVATION));
      addSuppression(builder, ReplayProcessor.ISSUED, widest);
      builder.addStateStore(
          Stores.windowStoreBuilder(
              Stores.persistentWindowStore(
                  DenyBurstProcessor.DENIES, denyKeep, Duration.ofMillis(1), true),
              Serdes.String(),
              Serdes.String()));
      addSuppression(builder, DenyBurstProcessor.ISSUED, widest);
      addSuppression(builder, FutureTimestampProcessor.ISSUED, rules.futureSuppression(), widest);
    }

    addTimeKeyed(builder, CustomRuleProcessor.HITS);
    addTimeKeyed(builder, CustomRuleProcessor.ISSUED);

    KStream<String, Bound> bound =
        builder.stream(
                topics.decisions(),
                Consumed.with(Serdes.String(), Serdes.ByteArray())
                    .withTimestampExtractor(new OccurredAtExtractor(clock, rules.maxFutureSkew()))
                    .withName("decisions"))
            .process(() -> new Bind(codec(clock), clock, metrics, stamps, book), Named.as("bind"));
    KStream<String, Observation> events =
        bound.mapValues(Bound::observation, Named.as("observations"));

    Produced<String, Alert> toAlerts =
        Produced.with(
            Serdes.String(),
            Serdes.serdeFrom(new StampedAlerts(ALERT.serializer(), stamps), ALERT.deserializer()));

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

    // An analyst's rule counts per group: each match goes to the task of its tenant, rule and
    // group.
    bound
        .flatMap(
            (k, b) -> {
              List<KeyValue<String, RuleHit>> out = new ArrayList<>(b.matches().size());
              for (RuleBook.Match m : b.matches()) {
                out.add(
                    KeyValue.pair(
                        Observation.key(
                            b.observation().tenant(), m.ruleId() + '\u001f' + m.subject()),
                        new RuleHit(m.ruleId(), m.subject(), b.observation())));
              }
              return out;
            },
            Named.as("rule-matches"))
        .repartition(Repartitioned.with(Serdes.String(), RuleHit.SERDE).withName("by-rule-group"))
        .process(
            () -> new CustomRuleProcessor(rules, metrics, book),
            Named.as("custom-rules"),
            CustomRuleProcessor.HITS,
            CustomRuleProcessor.ISSUED)
        .to(topics.alerts(), toAlerts);

    // Rare by nature; repartitioned so that a source is reported once, whichever partitions its
    // events landed on.
    events
        .filter((k, o) -> o.claimsTheFuture(), Named.as("future-dated"))
        .selectKey((k, o) -> Observation.key(o.tenant(), o.sourceKey()), Named.as("key-by-source"))
        .repartition(Repartitioned.with(Serdes.String(), OBSERVATION).withName("by-source"))
        .process(
            () -> new FutureTimestampProcessor(rules, metrics),
            Named.as("future-timestamp-rule"),
            FutureTimestampProcessor.ISSUED)
        .to(topics.alerts(), toAlerts);
    return builder.build();
  }

  /** A bound event, with the analysts' rules it matched (each with its group). */
  record Bound(Observation observation, List<RuleBook.Match> matches) {}

  /**
   * Binds each record once and stamps it with its partition's watermark (see {@link Observation});
   * a future-dated event is timed where the extractor put its record. The analysts' rules watching
   * its tenant are matched here, against the whole event, while it is parsed.
   */
  private static final class Bind
      implements org.apache.kafka.streams.processor.api.Processor<String, byte[], String, Bound> {
    private final EventCodec codec;
    private final Clock clock;
    private final DetectorMetrics metrics;
    private final Stamps stamps;
    private final Supplier<RuleBook> book;
    private final EventDocument document = new EventDocument();
    private org.apache.kafka.streams.processor.api.ProcessorContext<String, Bound> context;

    Bind(
        EventCodec codec,
        Clock clock,
        DetectorMetrics metrics,
        Stamps stamps,
        Supplier<RuleBook> book) {
      this.codec = codec;
      this.clock = clock;
      this.metrics = metrics;
      this.stamps = stamps;
      this.book = book;
    }

    @Override
    public void init(
        org.apache.kafka.streams.processor.api.ProcessorContext<String, Bound> context) {
      this.context = context;
    }

    @Override
    public void process(org.apache.kafka.streams.processor.api.Record<String, byte[]> record) {
      Optional<EventCodec.Checked> checked = check(record.value(), codec, metrics);
      if (checked.isEmpty()) {
        return;
      }
      JsonNode tree = checked.get().node();
      Optional.of(Observation.of(tree))
          .filter(o -> isProvenIfSystem(o, record, stamps, metrics))
          .ifPresent(
              o -> {
                if (o.at() > record.timestamp()) {
                  metrics.future();
                }
                // Lateness is judged against the partition's progress, but never against a
                // time past the detector's clock: an event allowed to be a little ahead must not
                // make the honest ones just behind it late.
                long watermark = Math.min(context.currentStreamTimeMs(), clock.millis());
                int partition =
                    context
                        .recordMetadata()
                        .map(org.apache.kafka.streams.processor.api.RecordMetadata::partition)
                        .orElse(-1);
                RuleBook rules = book.get();
                List<RuleBook.Match> matches =
                    rules.isEmpty() ? List.of() : rules.matches(o.tenant(), tree, document);
                context.forward(
                    record.withValue(
                        new Bound(
                            o.atMost(record.timestamp())
                                .withWatermark(watermark)
                                .fromPartition(partition),
                            matches)));
              });
    }
  }

  /**
   * Tenant {@code _system} is the API's audit trail: a record of it without the API's stamp was
   * produced by someone else and is not judged (the indexer dead-letters it). Only these records
   * are verified, so the check costs nothing on gateway traffic.
   */
  private static boolean isProvenIfSystem(
      Observation o,
      org.apache.kafka.streams.processor.api.Record<String, byte[]> record,
      Stamps stamps,
      DetectorMetrics metrics) {
    if (!Tenants.SYSTEM.equals(o.tenant())) {
      return true;
    }
    boolean proven =
        stamps
            .verify(record.headers(), record.value())
            .filter(p -> p.kind() == StampKind.API)
            .isPresent();
    if (!proven) {
      metrics.unreadable("unproven_system");
    }
    return proven;
  }

  /**
   * The collector's validator, with a day of future skew: events further ahead than {@code
   * detector.max-future-skew} are still judged (at that bound), only absurd ones are refused.
   */
  static EventCodec codec(Clock clock) {
    return new EventCodec(
        new EventValidator(clock, EventValidator.MAX_STORED_EVENT_BYTES, Duration.ofHours(24)));
  }

  /** A {@link TimeKeyedStore}'s key-value store. */
  private static void addTimeKeyed(StreamsBuilder builder, String name) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray()));
  }

  private static void addSuppression(StreamsBuilder builder, String name, Rules rules) {
    addSuppression(builder, name, rules.suppression(), rules);
  }

  private static void addSuppression(
      StreamsBuilder builder, String name, Duration suppression, Rules rules) {
    Duration keep = suppression.multipliedBy(2).plus(rules.grace()).plus(SKEW_ALLOWANCE);
    builder.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(name, keep, Duration.ofMillis(1), false),
            Serdes.String(),
            Serdes.String()));
  }

  /**
   * Every record is checked against the contract before any rule sees it, whoever wrote it: a
   * record that skipped the collector must not be able to throw in a rule and stop the detector. A
   * record that is not a valid event is counted by reason and skipped; the indexer dead-letters it,
   * so it is not lost.
   */
  static Optional<Observation> bind(byte[] bytes, EventCodec codec, DetectorMetrics metrics) {
    return check(bytes, codec, metrics).map(c -> Observation.of(c.node()));
  }

  /** The record checked against the contract, or empty (counted) when it is not an event. */
  static Optional<EventCodec.Checked> check(
      byte[] bytes, EventCodec codec, DetectorMetrics metrics) {
    if (bytes == null || bytes.length == 0) {
      metrics.unreadable("empty");
      return Optional.empty();
    }
    EventCodec.Checked c = codec.checkTree(bytes);
    if (!c.isValid()) {
      ValidationError first = c.errors().get(0);
      metrics.unreadable("json".equals(first.rule()) ? "not_json" : "invalid");
      log.warn(
          "skipping a record that is not a contract event pointer={} rule={} errors={}",
          first.pointer(),
          first.rule(),
          c.errors().size());
      return Optional.empty();
    }
    return Optional.of(c);
  }
}
