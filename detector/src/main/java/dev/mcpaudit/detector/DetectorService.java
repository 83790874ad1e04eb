package dev.mcpaudit.detector;

import dev.mcpaudit.detector.topology.DetectionTopology;
import dev.mcpaudit.detector.topology.DetectorMetrics;
import dev.mcpaudit.detector.webhook.WebhookConfig;
import dev.mcpaudit.detector.webhook.WebhookSink;
import dev.mcpaudit.kafka.client.LagWatch;
import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.runtime.http.OpsEndpoints;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the {@code detector} role: the Kafka Streams application, the webhook
 * sink beside it, and (run alone) the ops listener. Readiness is the Streams state.
 */
public final class DetectorService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DetectorService.class);

  private final KafkaStreams streams;
  private final WebhookSink webhook;
  private final Thread webhookThread;
  private final Javalin ops;
  private final DetectorMetrics metrics;
  private final KafkaStreamsMetrics streamsMetrics;
  private final StreamThreadHealth threads;
  private final int configuredThreads;
  private final LagWatch lagWatch;
  private final DetectionLag lag;
  private final dev.mcpaudit.rules.RuleFeed ruleFeed;

  /** How long the detector waits for its rules before it starts judging. */
  private static final Duration RULES_AT_START = Duration.ofSeconds(30);

  private DetectorService(DetectorConfig config, MeterRegistry registry, boolean serveOps) {
    config.kafka().requireAccess("mcp-audit-detector");
    int partitions = ensureTopics(config);
    this.metrics = new DetectorMetrics(registry);
    this.threads = new StreamThreadHealth(java.time.Clock.systemUTC(), registry);
    this.configuredThreads = config.threads();
    if (config.webhook().enabled()) {
      webhook =
          new WebhookSink(
              config.webhook(),
              config.kafka(),
              config.topics().alerts(),
              config.applicationId() + "-webhook",
              config.stamps(),
              registry);
      webhookThread = Thread.ofPlatform().name("mcp-audit-webhook").start(webhook);
      try {
        if (!webhook.awaitAssigned(Duration.ofSeconds(60))) {
          log.warn(
              "webhook sink not assigned its partitions after 60 s; alerts raised before it is may not be posted");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      webhook = null;
      webhookThread = null;
    }
    // Analysts' rules: followed from their topic (the API creates it) for as long as the detector
    // runs, so a change applies within seconds (README, "Alert rules"). Only the API's stamped
    // records count.
    this.ruleFeed =
        new dev.mcpaudit.rules.RuleFeed(
                config.kafka(),
                config.rulesTopic(),
                config.applicationId() + "-rules",
                config.stamps(),
                dev.mcpaudit.rules.query.TermPolicy.DEFAULT,
                book -> {})
            .start();
    io.micrometer.core.instrument.Gauge.builder(
            "mcp_audit_detector_custom_rules", ruleFeed, f -> f.book().size())
        .description("analysts' rules live in this detector (enabled, parsed)")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            "mcp_audit_detector_rule_changes_applied", ruleFeed, f -> f.applied())
        .description("rule changes (saves and deletions) read from the rules topic and applied")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder(
            "mcp_audit_detector_rule_records_refused", ruleFeed, f -> f.refused())
        .description(
            "records of the rules topic skipped: not stamped by the API, not a valid rule, mis-keyed or not newer")
        .register(registry);
    this.streams =
        new KafkaStreams(
            DetectionTopology.build(
                config.topics(),
                config.rules(),
                metrics,
                java.time.Clock.systemUTC(),
                config.stamps(),
                ruleFeed::book),
            properties(config));
    if (!config.stamps().canSign()) {
      log.warn(
          "detector has no stamp key (stamp.keys.<id>): the indexer and the webhook sink will"
              + " refuse its alerts (docs/provenance.md)");
    }
    // A failing thread is replaced rather than left dead: the state is in changelogs, the input
    // offsets were not committed past what the alerts topic holds.
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("detector stream thread failed; replacing it", e);
          threads.failed(e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    this.lagWatch =
        LagWatch.start(
            config.kafka(),
            "mcp-audit-detector-lag",
            config.applicationId(),
            config.topics().decisions(),
            Duration.ofSeconds(5),
            java.time.Clock.systemUTC());
    this.lag = new DetectionLag(lagWatch::latest, partitions, config.maxLag(), registry);
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    // A restarted detector reads its rules before the backlog it resumes, or it would judge that
    // backlog without them.
    try {
      if (!ruleFeed.awaitCaughtUp(RULES_AT_START)) {
        log.warn(
            "rules topic={} not read within {} s; judging without the rules not read yet",
            config.rulesTopic(),
            RULES_AT_START.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    streams.start();
    if (serveOps && registry instanceof PrometheusMeterRegistry prometheus) {
      ops = OpsEndpoints.serve("detector", config.host(), config.port(), prometheus, this::health);
    } else {
      ops = null;
    }
    log.info(
        "detector started kafka={} application_id={} state_dir={} webhooks={} ops={}",
        config.kafka().summary(),
        config.applicationId(),
        config.stateDir(),
        config.webhook().urls().stream().map(WebhookConfig::redacted).toList(),
        ops == null ? "none" : config.host() + ":" + ops.port());
  }

  public static DetectorService start(DetectorConfig config) {
    return new DetectorService(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true);
  }

  /** Inside another process (quickstart, tests) that serves /metrics itself. */
  public static DetectorService embedded(DetectorConfig config, MeterRegistry registry) {
    return new DetectorService(config, registry, false);
  }

  static Properties properties(DetectorConfig config) {
    Map<String, Object> tuning = new HashMap<>();
    tuning.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
    tuning.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads());
    tuning.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
    tuning.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    // Alerts are rare and small; a short commit interval is what bounds event-to-alert latency
    // under exactly-once (the alert is visible to read_committed readers only after the commit).
    tuning.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    // Every record is validated before a rule sees it; should one still throw, it is logged and
    // skipped rather than replacing the thread forever on the same record.
    tuning.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler.class);
    tuning.put("processing.exception.handler.global.enabled", true);
    tuning.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class);
    Properties p = new Properties();
    p.putAll(config.kafka().streams(config.applicationId(), tuning));
    return p;
  }

  /** Creates the topics if missing; returns the decisions topic's partition count. */
  private static int ensureTopics(DetectorConfig config) {
    try (Admin admin = Admin.create(config.kafka().admin("mcp-audit-detector-topics"))) {
      Set<String> existing = new HashSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
      List<NewTopic> missing =
          List.of(config.topics().decisions(), config.topics().alerts()).stream()
              .filter(t -> !existing.contains(t))
              .map(t -> new NewTopic(t, config.topicPartitions(), config.replicationFactor()))
              .toList();
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
          log.info("detector created topics={}", missing.stream().map(NewTopic::name).toList());
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
            throw e;
          } // another role created it meanwhile
        }
      }
      String decisions = config.topics().decisions();
      return admin
          .describeTopics(List.of(decisions))
          .allTopicNames()
          .get(30, TimeUnit.SECONDS)
          .get(decisions)
          .partitions()
          .size();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot reach Kafka at "
              + config.kafka().summary()
              + " to check topics: "
              + config.kafka().scrub(e.toString()),
          e);
    }
  }

  /**
   * Ready while the streams run with every thread, none of them lately failed, and detection is not
   * further behind than {@code detector.max-lag}.
   */
  public Health health() {
    KafkaStreams.State s = streams.state();
    if (s != KafkaStreams.State.RUNNING) {
      return Health.notReady("detector streams " + s);
    }
    int alive =
        (int)
            streams.metadataForLocalThreads().stream()
                .filter(t -> !"DEAD".equals(t.threadState()))
                .count();
    Health t = threads.health(alive, configuredThreads);
    return t.ready() ? lag.health() : t;
  }

  /** The latest measurement of how far detection is behind the decisions topic. */
  public java.util.Optional<dev.mcpaudit.kafka.client.GroupLag.Snapshot> lag() {
    return lag.latest();
  }

  /**
   * Records fetched-but-not-yet-read behind the end of every partition the detector reads, its
   * repartition topics included (the consumers' records-lag). Zero once it has caught up.
   */
  public long backlog() {
    // Only the per-partition form of the metric carries this name (the client-wide one is
    // records-lag-max).
    return streamsMetricSum("consumer-fetch-manager-metrics", "records-lag");
  }

  /**
   * Records Kafka Streams dropped on its own (task-level dropped-records: a record past a window
   * store's retention, "Skipping record for expired segment", or without a usable timestamp). Also
   * in /metrics with the other Kafka Streams metrics.
   */
  public long droppedRecords() {
    return streamsMetricSum("stream-task-metrics", "dropped-records-total");
  }

  private long streamsMetricSum(String group, String name) {
    double sum = 0;
    for (var m : streams.metrics().entrySet()) {
      if (m.getKey().name().equals(name)
          && m.getKey().group().equals(group)
          && m.getValue().metricValue() instanceof Double d
          && !d.isNaN()) {
        sum += d;
      }
    }
    return (long) sum;
  }

  public DetectorMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    lagWatch.close();
    streams.close(Duration.ofSeconds(30));
    ruleFeed.close();
    streamsMetrics.close();
    if (webhook != null) {
      webhook.close();
      try {
        webhookThread.join(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ops != null) {
      ops.stop();
    }
    log.info("detector stopped");
  }
}
