package dev.mcpaudit.runtime.http;

import dev.mcpaudit.runtime.health.Health;
import io.javalin.config.JavalinConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/**
 * {@code /health/live}, {@code /health/ready} and {@code /metrics} (Prometheus text), without a
 * token, on every role. They reveal no event data; in production bind them to a management address
 * or keep them off the public listener.
 */
public final class OpsEndpoints {
  private OpsEndpoints() {}

  public static void install(
      JavalinConfig config, PrometheusMeterRegistry registry, Supplier<Health> readiness) {
    config.routes.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "up")));
    config.routes.get(
        "/health/ready",
        ctx -> {
          switch (readiness.get()) {
            case Health.Ready ready -> ctx.json(java.util.Map.of("status", "ready"));
            case Health.NotReady not ->
                ctx.status(503)
                    .json(java.util.Map.of("status", "not_ready", "reason", not.reason()));
          }
        });
    config.routes.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
  }

  /**
   * A listener with the ops endpoints only, for roles without an HTTP API of their own (indexer,
   * detector).
   */
  public static io.javalin.Javalin serve(
      String role,
      String host,
      int port,
      PrometheusMeterRegistry registry,
      Supplier<Health> readiness) {
    return HttpServer.start(
        role, host, port, HttpSecurity.MANAGEMENT, registry, readiness, cfg -> {});
  }
}
