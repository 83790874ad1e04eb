package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.runtime.http.HttpSecurity;
import dev.mcpaudit.runtime.http.HttpServer;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/** The api role's own HTTP server: the routes, the ops endpoints, and whatever else shares it. */
public final class ApiHttpServer implements AutoCloseable {
  /** More to serve on the same port (the launcher adds the web UI). */
  @FunctionalInterface
  public interface Extra {
    void addTo(JavalinConfig config);
  }

  private final Javalin app;

  private ApiHttpServer(Javalin app) {
    this.app = app;
  }

  /**
   * @throws IllegalStateException naming the address when it cannot listen
   */
  public static ApiHttpServer start(
      String host,
      int port,
      HttpSecurity security,
      PrometheusMeterRegistry registry,
      Supplier<Health> readiness,
      ApiRoutes routes,
      Extra extra) {
    return new ApiHttpServer(
        HttpServer.start(
            "api",
            host,
            port,
            security,
            registry,
            readiness,
            cfg -> {
              cfg.jsonMapper(ApiRoutes.json());
              routes.install(cfg);
              extra.addTo(cfg);
            }));
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
