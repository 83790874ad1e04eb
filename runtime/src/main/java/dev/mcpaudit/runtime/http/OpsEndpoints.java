package dev.mcpaudit.runtime.http;

import io.javalin.config.JavalinConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * {@code /health/live}, {@code /health/ready} and {@code /metrics} (Prometheus text), without a
 * token, on every role. They reveal no event data; in production bind them to a management
 * address or keep them off the public listener.
 */
public final class OpsEndpoints {
  private OpsEndpoints() {}

  /** {@code readiness} answers null when ready, else the reason it is not. */
  public static void install(JavalinConfig config, PrometheusMeterRegistry registry, Supplier<String> readiness) {
    config.routes.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "up")));
    config.routes.get("/health/ready", ctx -> {
      String notReady = readiness.get();
      if (notReady == null) {
        ctx.json(java.util.Map.of("status", "ready"));
      } else {
        ctx.status(503).json(java.util.Map.of("status", "not_ready", "reason", notReady));
      }
    });
    config.routes.get("/metrics", ctx ->
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
  }

  /** A listener with the ops endpoints only, for roles without an HTTP API of their own (indexer, detector). */
  public static io.javalin.Javalin serve(String host, int port, PrometheusMeterRegistry registry, Supplier<String> readiness) {
    return io.javalin.Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.jsonMapper(new io.javalin.json.JavalinJackson(dev.mcpaudit.schema.event.EventCodec.mapper(), false));
      HttpEdge.install(cfg);
      install(cfg, registry, readiness);
    }).start(host, port);
  }
}
