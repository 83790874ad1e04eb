package dev.mcpaudit.indexer;

import dev.mcpaudit.indexer.alerts.AlertIndex;
import dev.mcpaudit.indexer.alerts.AlertIngest;
import dev.mcpaudit.indexer.alerts.AlertStore;
import dev.mcpaudit.indexer.cluster.ClusterAlerts;
import dev.mcpaudit.indexer.cluster.ClusterMaintenance;
import dev.mcpaudit.indexer.cluster.ClusterSink;
import dev.mcpaudit.indexer.evidence.CheckpointPublisher;
import dev.mcpaudit.indexer.evidence.EvidenceConfig;
import dev.mcpaudit.indexer.evidence.EvidenceLog;
import dev.mcpaudit.indexer.ingest.IndexSink;
import dev.mcpaudit.indexer.ingest.IndexerLoop;
import dev.mcpaudit.indexer.ingest.IndexerMetrics;
import dev.mcpaudit.indexer.ingest.LuceneSink;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterSetup;
import dev.mcpaudit.opensearch.IndexBackend;
import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.runtime.http.OpsEndpoints;
import io.javalin.Javalin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.search.SearcherManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the {@code indexer} role: the index (Lucene beside it, or an OpenSearch
 * cluster), the consumer loop on its own thread, the near-real-time refresher, retention, and
 * (optionally) the ops HTTP listener.
 */
public final class IndexerService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexerService.class);

  /** The local Lucene index; null with {@code index.backend=opensearch}. */
  private final EventIndex index;

  private final Cluster cluster;
  private final IndexSink sink;
  private final IndexerLoop loop;
  private final Thread loopThread;
  private final ScheduledExecutorService scheduler;
  private final IndexerMetrics metrics;
  private final Javalin ops;
  private final AlertIndex alerts;
  private final ClusterAlerts clusterAlerts;
  private final AlertIngest alertIngest;
  private final Thread alertThread;

  private IndexerService(
      IndexerConfig config, MeterRegistry registry, boolean serveOps, Clock clock) {
    config.kafka().requireAccess("mcp-audit-indexer");
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    // Two threads: a long retention merge must not hold up near-real-time refreshes.
    this.scheduler =
        Executors.newScheduledThreadPool(
            2,
            r ->
                Thread.ofPlatform()
                    .name("mcp-audit-indexer-scheduler-" + n.incrementAndGet())
                    .daemon(true)
                    .unstarted(r));
    AlertStore alertStore;
    if (config.backend() == IndexBackend.OPENSEARCH) {
      this.index = null;
      this.alerts = null;
      this.cluster = Cluster.connect(config.openSearch());
      String info = cluster.check(); // wrong credentials or trust stop the role here, saying which
      ClusterSetup.Installed installed =
          ClusterSetup.install(cluster, config.storedCompression(), config.retention());
      log.info("indexer writes to opensearch cluster={} {}", info, config.openSearch().summary());
      EvidenceConfig ev = config.evidence();
      if (ev == null) {
        this.sink = new ClusterSink(cluster, config.retention(), config.commitInterval(), clock);
      } else {
        logEvidence(ev);
        this.sink =
            new ClusterSink(
                cluster,
                config.retention(),
                config.commitInterval(),
                clock,
                ev.log(),
                new CheckpointPublisher(
                    config.kafka(), ev.topic(), config.stamps(), ev.replication()));
      }
      this.clusterAlerts = new ClusterAlerts(cluster);
      alertStore = clusterAlerts;
      ClusterMaintenance maintenance =
          new ClusterMaintenance(cluster, config.retention(), installed.ism(), clock);
      this.metrics = new IndexerMetrics(registry, maintenance::documents);
      scheduler.scheduleWithFixedDelay(
          maintenance::runQuietly, 0, config.retentionCheck().toMillis(), TimeUnit.MILLISECONDS);
    } else {
      this.cluster = null;
      this.clusterAlerts = null;
      this.index =
          EventIndex.open(config.indexPath(), config.ramBufferMb(), config.storedCompression());
      this.sink = luceneSink(config, index, clock);
      this.alerts = AlertIndex.open(config.alertsPath());
      alertStore = alerts;
      EvidenceConfig ev = config.evidence();
      if (ev != null) {
        try {
          alerts.keepEvidence(
              ev.log(),
              new CheckpointPublisher(
                  config.kafka(), ev.topic(), config.stamps(), ev.replication(), "alerts/"));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("cannot open the alert logs", e);
        }
      }
      this.metrics = new IndexerMetrics(registry, index::liveDocs);
      long refreshMs = config.refreshInterval().toMillis();
      scheduler.scheduleWithFixedDelay(this::refresh, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
    }
    this.loop = new IndexerLoop(config, sink, metrics, clock);
    if (index != null && !config.retention().isZero()) {
      Retention retention = new Retention(index, config.retention(), clock, loop::requestCommit);
      scheduler.scheduleWithFixedDelay(
          retention::runQuietly, 0, config.retentionCheck().toMillis(), TimeUnit.MILLISECONDS);
    }
    this.loopThread = Thread.ofPlatform().name("mcp-audit-indexer-consumer").unstarted(loop);
    loopThread.start();
    this.alertIngest =
        new AlertIngest(
            alertStore,
            config.kafka(),
            config.topics().alerts(),
            config.topics().alertChanges(),
            config.stamps(),
            config.topics().deadLetter(),
            registry,
            config.groupId() + "-alerts");
    this.alertThread = Thread.ofPlatform().name("mcp-audit-indexer-alerts").start(alertIngest);
    if (serveOps && registry instanceof PrometheusMeterRegistry prometheus) {
      ops = OpsEndpoints.serve("indexer", config.host(), config.port(), prometheus, this::health);
    } else {
      ops = null;
    }
    log.info(
        "indexer started index={} docs={} kafka={} group={} ops={}",
        index == null ? config.openSearch().indexPrefix() + " on opensearch" : config.indexPath(),
        index == null ? "-" : index.liveDocs(),
        config.kafka().summary(),
        config.groupId(),
        ops == null ? "none" : config.host() + ":" + ops.port());
    log.info(
        "indexer stamp keys accepted={} signing={}",
        config.stamps().keyIds(),
        config.stamps().signingKeyId().orElse("none"));
    if (!config.stamps().hasKeys()) {
      log.warn(
          "indexer has no stamp keys (stamp.keys.<id>): every event is stored with provenance"
              + " kafka, and every alert and _system record is refused (docs/provenance.md)");
    }
  }

  /**
   * The Lucene sink, with the evidence log when it is on: its logs as the last commit left them,
   * and the publisher of their checkpoints (README, "Verifiable evidence").
   */
  private static LuceneSink luceneSink(IndexerConfig config, EventIndex index, Clock clock) {
    EvidenceConfig ev = config.evidence();
    if (ev == null) {
      return new LuceneSink(index);
    }
    try {
      EvidenceLog logs = new EvidenceLog(config.indexPath(), index.committedUserData(), ev.log());
      logEvidence(ev);
      return new LuceneSink(
          index,
          logs,
          new CheckpointPublisher(config.kafka(), ev.topic(), config.stamps(), ev.replication()),
          clock);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot open the evidence log", e);
    }
  }

  private static void logEvidence(EvidenceConfig ev) {
    log.info(
        "indexer evidence log on origin={} key={} checkpoint_every={} checkpoint_interval={}"
            + " topic={}",
        ev.log().origin(),
        ev.log().key().verifier().id(),
        ev.log().every(),
        ev.log().interval(),
        ev.topic());
  }

  /** Starts the role with its own /health and /metrics listener. */
  public static IndexerService start(IndexerConfig config) {
    return new IndexerService(
        config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), true, Clock.systemUTC());
  }

  /** Starts inside another process (quickstart, tests) that serves metrics itself. */
  public static IndexerService embedded(IndexerConfig config, MeterRegistry registry, Clock clock) {
    return new IndexerService(config, registry, false, clock);
  }

  /** The near-real-time searchers over this process's index (for an API in the same process). */
  public SearcherManager searchers() {
    return local().searchers();
  }

  /** The near-real-time searchers over the alerts index. */
  public SearcherManager alertSearchers() {
    if (alerts == null) {
      throw new IllegalStateException("no local alerts index with index.backend=opensearch");
    }
    return alerts.searchers();
  }

  public EventIndex index() {
    return local();
  }

  private EventIndex local() {
    if (index == null) {
      throw new IllegalStateException("no local index with index.backend=opensearch");
    }
    return index;
  }

  public IndexerMetrics metrics() {
    return metrics;
  }

  public int opsPort() {
    return ops == null ? -1 : ops.port();
  }

  /** Why the indexer's work ended, and the exit code the role command gives for it. */
  public enum Stop {
    /** Still indexing. */
    RUNNING(-1),
    /** Asked to stop (shutdown): a clean exit. */
    REQUESTED(0),
    /** Indexing events or alerts failed; a supervisor should restart the process. */
    FAILED(1);

    public final int exitCode;

    Stop(int exitCode) {
      this.exitCode = exitCode;
    }
  }

  /** Ready while both loops index and the index takes writes. */
  public Health health() {
    java.util.Optional<String> waiting = sink.unavailable();
    if (waiting.isPresent()) {
      return Health.notReady(waiting.get());
    }
    if (clusterAlerts != null && clusterAlerts.unavailable().isPresent()) {
      return Health.notReady(clusterAlerts.unavailable().get());
    }
    Throwable f = loop.fatalError();
    if (f != null) {
      return Health.notReady("indexing stopped: " + f);
    }
    Throwable a = alertIngest.fatalError();
    if (a != null) {
      return Health.notReady("alert indexing stopped: " + a);
    }
    return loopThread.isAlive() ? Health.READY : Health.notReady("indexing stopped");
  }

  /** Why indexing ended, if it did. */
  public Stop stop() {
    if (loop.fatalError() != null || alertIngest.fatalError() != null) {
      return Stop.FAILED;
    }
    return loopThread.isAlive() ? Stop.RUNNING : Stop.REQUESTED;
  }

  /** Blocks until the consumer loop ends (for the role command: it ends on a fatal error). */
  public void awaitLoop() throws InterruptedException {
    loopThread.join();
  }

  private void refresh() {
    if (index == null) {
      return;
    }
    long start = System.nanoTime();
    try {
      index.refresh();
      metrics.refresh.record(Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException | RuntimeException e) {
      log.warn("index refresh failed error={}", e.toString());
    }
  }

  @Override
  public void close() throws IOException {
    loop.close();
    alertIngest.close();
    if (clusterAlerts != null) {
      clusterAlerts.close();
    }
    try {
      alertThread.join(Duration.ofSeconds(30));
      loopThread.join(Duration.ofSeconds(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Never interrupt a thread that may be inside Lucene: an interrupt during NIO closes the
    // channel under the index (and its write lock). Let the refresh or retention in progress end.
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(5, java.util.concurrent.TimeUnit.MINUTES)) {
        log.warn("index maintenance still running at shutdown");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (ops != null) {
      ops.stop();
    }
    try {
      sink.close();
    } catch (Exception e) {
      log.warn("closing the index sink: {}", e.toString());
    }
    if (index != null) {
      long docs = index.liveDocs();
      index.close();
      alerts.close();
      log.info("indexer stopped docs={}", docs);
    } else {
      cluster.close();
      log.info("indexer stopped");
    }
  }
}
