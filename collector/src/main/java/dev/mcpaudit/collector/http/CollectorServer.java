package dev.mcpaudit.collector.http;

import dev.mcpaudit.runtime.http.HttpEdge;
import dev.mcpaudit.runtime.http.OpsEndpoints;
import dev.mcpaudit.schema.event.EventCodec;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
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
    Javalin app = Javalin.create(cfg -> {
      cfg.concurrency.useVirtualThreads = true; // requests block on Kafka acks; virtual threads make that cheap
      cfg.http.maxRequestSize = config.bodyLimitBytes();
      cfg.startup.showJavalinBanner = false;
      cfg.jsonMapper(new JavalinJackson(EventCodec.mapper(), false));
      HttpEdge.install(cfg);
      OpsEndpoints.install(cfg, registry, routes::notReady);
      routes.install(cfg);
    });
    try {
      app.start(config.host(), config.port());
    } catch (RuntimeException e) {
      routes.close();
      throw new IllegalStateException("collector cannot listen on " + config.host() + ":" + config.port() + ": " + rootMessage(e), e);
    }
    log.info("collector listening address={}:{} kafka={} sources={}",
        config.host(), app.port(), config.bootstrapServers(), config.sourceTokens().size());
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

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
