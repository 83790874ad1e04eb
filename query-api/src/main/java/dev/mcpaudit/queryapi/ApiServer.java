package dev.mcpaudit.queryapi;

import dev.mcpaudit.collector.publisher.DecisionPublisher;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.audit.PublishedAuditTrail;
import dev.mcpaudit.queryapi.http.ApiRoutes;
import dev.mcpaudit.runtime.http.HttpEdge;
import dev.mcpaudit.runtime.http.OpsEndpoints;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the {@code api} role running alone: it serves a committed index
 * directory read-only and reopens it when the indexer commits (in the quickstart the API shares
 * the indexer's near-real-time searchers instead).
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  private final Javalin app;
  private final Directory directory;
  private final SearcherManager searchers;
  private final Directory alertDirectory;
  private final SearcherManager alertSearchers;
  private final ScheduledExecutorService reopen;
  private final PublishedAuditTrail audit;

  private ApiServer(ApiConfig config, java.util.function.Consumer<io.javalin.config.JavalinConfig> extras) throws IOException {
    this.directory = FSDirectory.open(config.indexPath());
    this.searchers = new SearcherManager(DirectoryReader.open(directory), null);
    this.alertDirectory = FSDirectory.open(config.alertsPath());
    if (!DirectoryReader.indexExists(alertDirectory)) {
      // An indexer older than the alerts index, or none started yet: begin with an empty one,
      // as the indexer would; it appends to it once it runs.
      try (IndexWriter w = new IndexWriter(alertDirectory, new IndexWriterConfig())) {
        w.commit();
      }
      log.info("api created an empty alerts index at {}", config.alertsPath());
    }
    this.alertSearchers = new SearcherManager(DirectoryReader.open(alertDirectory), null);
    this.reopen = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("mcp-audit-api-reopen").daemon(true).unstarted(r));
    long every = config.reopenInterval().toMillis();
    reopen.scheduleWithFixedDelay(() -> {
      try {
        searchers.maybeRefresh();
        alertSearchers.maybeRefresh();
      } catch (IOException | RuntimeException e) {
        log.warn("index reopen failed error={}", e.toString());
      }
    }, every, every, TimeUnit.MILLISECONDS);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.audit = config.audit()
        ? new PublishedAuditTrail(DecisionPublisher.builder().bootstrapServers(config.bootstrapServers())
            .topic(config.decisionsTopic()).clientId("mcp-audit-api-audit").spoolDirectory(config.auditSpool())
            .closeTimeout(java.time.Duration.ofSeconds(10)).build(), Clock.systemUTC(), config.host() + ":" + config.port(),
            config.auditRefusedWindow(), config.auditRefusedKeys())
        : null;
    ApiRoutes routes = new ApiRoutes(config.auth(), audit == null ? AuditTrail.NONE : audit, searchers, alertSearchers,
        config.limits(), config.exportLimits(), Clock.systemUTC());
    this.app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.concurrency.useVirtualThreads = true;
      cfg.jsonMapper(ApiRoutes.json());
      HttpEdge.install(cfg);
      OpsEndpoints.install(cfg, registry, () -> null);
      routes.install(cfg);
      extras.accept(cfg);
    }).start(config.host(), config.port());
    log.info("api listening address={}:{} index={}", config.host(), app.port(), config.indexPath());
  }

  public static ApiServer start(ApiConfig config) {
    return start(config, cfg -> { });
  }

  /** @param extras more to serve on the same port (the launcher adds the web UI) */
  public static ApiServer start(ApiConfig config, java.util.function.Consumer<io.javalin.config.JavalinConfig> extras) {
    try {
      return new ApiServer(config, extras);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open index " + config.indexPath() + " or " + config.alertsPath() + " (has the indexer committed yet?)", e);
    }
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() throws IOException {
    app.stop();
    reopen.shutdown();
    searchers.close();
    directory.close();
    alertSearchers.close();
    alertDirectory.close();
    if (audit != null) {
      audit.close();
    }
  }
}
