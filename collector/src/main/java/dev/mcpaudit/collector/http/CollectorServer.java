package dev.mcpaudit.collector.http;

import dev.mcpaudit.runtime.http.HttpServer;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of the {@code collector} role: Kafka producer and ingest route, health and
 * metrics, one Javalin server. Stateless: run as many as the load needs.
 */
public final class CollectorServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CollectorServer.class);

  private final Javalin app;
  private final CollectorRoutes routes;

  private CollectorServer(Javalin app, CollectorRoutes routes) {
    this.app = app;
    this.routes = routes;
  }

  public static CollectorServer start(CollectorConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CollectorRoutes routes = new CollectorRoutes(config, registry, Clock.systemUTC());
    Javalin app;
    try {
      // Requests block on Kafka acks: on virtual threads that is cheap.
      app =
          HttpServer.start(
              "collector",
              config.host(),
              config.port(),
              config.http(),
              registry,
              routes::health,
              cfg -> {
                cfg.http.maxRequestSize = config.bodyLimitBytes();
                routes.install(cfg);
              });
    } catch (RuntimeException e) {
      routes.close();
      throw e;
    }
    log.info(
        "collector listening address={}:{} kafka={} sources={} stamp_key={}",
        config.host(),
        app.port(),
        config.kafka().summary(),
        config.sourceTokens().size(),
        config.stamps().signingKeyId().orElse("none"));
    if (!config.stamps().canSign()) {
      log.warn(
          "collector has no stamp key (stamp.keys.<id>): the indexer will store what it accepts"
              + " with provenance kafka, not collector");
    }
    return new CollectorServer(app, routes);
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
    routes.close();
  }
}
