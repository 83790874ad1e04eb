package dev.mcpaudit.queryapi;

import dev.mcpaudit.kafka.client.LagWatch;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.opensearch.IndexBackend;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.audit.PublishedAuditTrail;
import dev.mcpaudit.queryapi.http.ApiHttpServer;
import dev.mcpaudit.queryapi.http.ApiRoutes;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.cluster.ClusterEventStore;
import dev.mcpaudit.queryapi.store.lucene.CommittedIndex;
import dev.mcpaudit.queryapi.store.lucene.LuceneEventStore;
import dev.mcpaudit.queryapi.store.lucene.LuceneEvidence;
import dev.mcpaudit.queryapi.store.lucene.StoreThreads;
import dev.mcpaudit.queryapi.triage.AlertTriage;
import dev.mcpaudit.runtime.health.Health;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the {@code api} role running alone: it serves a committed index directory
 * read-only and reopens it when the indexer commits, or reads the OpenSearch cluster the indexers
 * write ({@code index.backend=opensearch}). In the quickstart the API shares the indexer's
 * near-real-time searchers instead.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  private final ApiHttpServer app;
  private final CommittedIndex searchers;
  private final CommittedIndex alertSearchers;
  private final StoreThreads storeThreads;
  private final EventStore store;
  private final LuceneEvidence evidence;
  private final LuceneEvidence alertEvidence;
  private final ScheduledExecutorService reopen;
  private final Cluster cluster;
  private final PublishedAuditTrail audit;
  private final LagWatch detectionLag;
  private final AlertTriage triage;
  private final dev.mcpaudit.queryapi.rules.RuleRegistry ruleRegistry;

  private ApiServer(ApiConfig config, ApiHttpServer.Extra extras) throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.storeThreads = StoreThreads.start();
    if (config.backend() == IndexBackend.OPENSEARCH) {
      this.searchers = null;
      this.alertSearchers = null;
      this.reopen = null;
      this.cluster = connect(config);
      this.store = ClusterEventStore.over(cluster, config.limits());
      Gauge.builder("mcp_audit_api_index_open", store, s -> s.health().ready() ? 1 : 0)
          .tag("index", "opensearch")
          .description("1 while the OpenSearch cluster can answer, 0 while it cannot")
          .register(registry);
    } else {
      this.cluster = null;
      // Either index may have no commit yet (the api started before the indexer): not ready until
      // it appears, then served without a restart by the reopen below.
      this.searchers = CommittedIndex.open(config.indexPath(), "events index");
      this.alertSearchers = CommittedIndex.open(config.alertsPath(), "alerts index");
      this.reopen =
          Executors.newSingleThreadScheduledExecutor(
              r -> Thread.ofPlatform().name("mcp-audit-api-reopen").daemon(true).unstarted(r));
      long every = config.reopenInterval().toMillis();
      reopen.scheduleWithFixedDelay(
          () -> {
            try {
              searchers.maybeRefresh();
              alertSearchers.maybeRefresh();
            } catch (IOException | RuntimeException e) {
              log.warn("index reopen failed error={}", e.toString());
            }
          },
          every,
          every,
          TimeUnit.MILLISECONDS);
      for (var index : java.util.Map.of("events", searchers, "alerts", alertSearchers).entrySet()) {
        Gauge.builder("mcp_audit_api_index_open", index.getValue(), i -> i.health().ready() ? 1 : 0)
            .tag("index", index.getKey())
            .description("1 once the index's first commit is open, 0 while the api waits for it")
            .register(registry);
      }
      this.store = LuceneEventStore.over(searchers, alertSearchers, config.limits(), storeThreads);
    }
    if (config.audit()) {
      config.kafka().requireAccess("mcp-audit-api-audit");
      if (!config.stamps().canSign()) {
        log.warn(
            "api has no stamp key (stamp.keys.<id>): the indexer will refuse its audit events"
                + " (tenant _system is indexed only with the api's stamp)");
      }
    }
    this.audit =
        config.audit()
            ? new PublishedAuditTrail(
                PublishedAuditTrail.publisher(
                        config.kafka(),
                        config.decisionsTopic(),
                        config.auditSpool(),
                        config.stamps())
                    .build(),
                Clock.systemUTC(),
                config.host() + ":" + config.port(),
                config.auditRefusedWindow(),
                config.auditRefusedKeys())
            : null;
    ApiRoutes routes =
        ApiRoutes.assemble(
            store,
            config.auth(),
            audit == null ? AuditTrail.NONE : audit,
            config.limits(),
            config.exportLimits(),
            Clock.systemUTC());
    // The evidence routes, where the indexer keeps the logs: beside the Lucene index, or in the
    // cluster's evidence index (README, "Verifiable evidence").
    if (config.evidenceKeys().isEmpty()) {
      this.evidence = null;
      this.alertEvidence = null;
    } else if (cluster != null) {
      this.evidence = null;
      this.alertEvidence = null;
      routes.evidence(
          new dev.mcpaudit.queryapi.store.cluster.ClusterEvidence(cluster),
          config.evidenceKeys(),
          config.bundleKey());
    } else {
      this.evidence = new LuceneEvidence(config.indexPath());
      this.alertEvidence = new LuceneEvidence(config.alertsPath());
      routes.evidence(evidence, config.evidenceKeys(), config.bundleKey());
      routes.alertEvidence(alertEvidence);
    }
    this.triage = triage(config, audit == null ? AuditTrail.NONE : audit);
    if (triage != null) {
      routes.triage(triage);
    }
    // Rules, like alert changes, count only when stamped: without a stamp key the routes say so.
    this.ruleRegistry =
        config.stamps().canSign()
            ? new dev.mcpaudit.queryapi.rules.RuleRegistry(
                config.kafka(),
                config.rulesTopic(),
                config.replicationFactor(),
                config.stamps(),
                audit == null ? AuditTrail.NONE : audit,
                Clock.systemUTC(),
                config.limits().timeout())
            : null;
    if (ruleRegistry != null) {
      routes.rules(ruleRegistry);
    }
    String detector = config.detectorApplicationId();
    this.detectionLag =
        detector == null || detector.isBlank()
            ? null
            : LagWatch.start(
                config.kafka(),
                "mcp-audit-api-detection-lag",
                detector,
                config.decisionsTopic(),
                java.time.Duration.ofSeconds(5),
                Clock.systemUTC());
    if (detectionLag != null) {
      routes.detection(detectionLag::latest);
    }
    this.app =
        ApiHttpServer.start(
            config.host(), config.port(), config.http(), registry, this::health, routes, extras);
    log.info(
        "api listening address={}:{} index={}",
        config.host(),
        app.port(),
        cluster == null ? config.indexPath() : "opensearch " + config.openSearch().summary());
  }

  /**
   * The cluster, with answers awaited no longer than a query may run (plus a margin for the
   * cluster's own cancellation to arrive): a cluster that stops answering costs a request its time
   * limit, not the client's longer default. A cluster that cannot be reached at start is logged and
   * waited for; {@code /health/ready} says why until it answers.
   */
  private static Cluster connect(ApiConfig config) {
    OpenSearchSettings s = config.openSearch();
    Duration bounded = config.limits().timeout().plusSeconds(5);
    Cluster cluster =
        Cluster.connect(
            new OpenSearchSettings(
                s.hosts(),
                s.auth(),
                s.tls(),
                s.indexPrefix(),
                s.shards(),
                s.replicas(),
                s.refreshInterval(),
                s.forceMergeAfter(),
                s.requestTimeout().compareTo(bounded) < 0 ? s.requestTimeout() : bounded));
    try {
      log.info("api reads opensearch cluster={} {}", cluster.check(), s.summary());
    } catch (ClusterException e) {
      log.warn(
          "opensearch not answering yet; the api is not ready until it does: {}", e.getMessage());
    }
    return cluster;
  }

  /**
   * Alert changes (docs/alerts.md), when the api can stamp them: without a stamp key the indexer
   * would refuse them, so the change routes answer 503 and say why.
   */
  static AlertTriage triage(ApiConfig config, AuditTrail audit) {
    if (!config.stamps().canSign()) {
      log.warn(
          "api has no stamp key (stamp.keys.<id>): alerts cannot be changed (the indexer applies"
              + " only stamped changes)");
      return null;
    }
    return new AlertTriage(
        config.kafka(),
        config.alertChangesTopic(),
        config.replicationFactor(),
        config.stamps(),
        audit,
        Clock.systemUTC(),
        config.limits().timeout());
  }

  public static ApiServer start(ApiConfig config) {
    return start(config, cfg -> {});
  }

  /**
   * @param extras more to serve on the same port (the launcher adds the web UI)
   */
  public static ApiServer start(ApiConfig config, ApiHttpServer.Extra extras) {
    try {
      return new ApiServer(config, extras);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open index " + config.indexPath() + " or " + config.alertsPath() + ": " + e, e);
    }
  }

  /**
   * Ready once the store can answer: both indexes open, or the cluster reachable and not red (for
   * /health/ready).
   */
  public Health health() {
    return store.health();
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() throws IOException {
    app.close();
    storeThreads.close();
    if (cluster != null) {
      cluster.close();
    } else {
      reopen.shutdown();
      searchers.close();
      alertSearchers.close();
    }
    if (audit != null) {
      audit.close();
    }
    if (detectionLag != null) {
      detectionLag.close();
    }
    if (triage != null) {
      triage.close();
    }
    if (ruleRegistry != null) {
      ruleRegistry.close();
    }
    if (evidence != null) {
      evidence.close();
    }
    if (alertEvidence != null) {
      alertEvidence.close();
    }
  }
}
