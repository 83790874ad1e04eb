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
 * The composition root of the {@code collector} role: Kafka gate, ingest endpoint, health and
 * metrics, one Javalin server. Stateless: run as many as the load needs.
 */
public final class CollectorServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CollectorServer.class);

  private final Javalin app;
  private final KafkaGate gate;

  private CollectorServer(Javalin app, KafkaGate gate) {
    this.app = app;
    this.gate = gate;
  }

  public static CollectorServer start(CollectorConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KafkaGate gate = new KafkaGate(config.bootstrapServers(), "mcp-audit-collector", config.kafkaTimeout());
    IngestEndpoint ingest = new IngestEndpoint(config, gate, new CollectorMetrics(registry), Clock.systemUTC());
    Javalin app = Javalin.create(cfg -> {
      cfg.concurrency.useVirtualThreads = true; // requests block on Kafka acks; virtual threads make that cheap
      cfg.http.maxRequestSize = config.bodyLimitBytes();
      cfg.startup.showJavalinBanner = false;
      cfg.jsonMapper(new JavalinJackson(EventCodec.mapper(), false));
      HttpEdge.install(cfg);
      OpsEndpoints.install(cfg, registry, gate::notReady);
      ingest.install(cfg);
    });
    try {
      app.start(config.host(), config.port());
    } catch (RuntimeException e) {
      gate.close();
      throw new IllegalStateException("collector cannot listen on " + config.host() + ":" + config.port() + ": " + rootMessage(e), e);
    }
    log.info("collector listening address={}:{} kafka={} sources={}",
        config.host(), app.port(), config.bootstrapServers(), config.sourceTokens().size());
    return new CollectorServer(app, gate);
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
    gate.close();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
