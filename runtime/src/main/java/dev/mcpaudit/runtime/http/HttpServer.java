package dev.mcpaudit.runtime.http;

import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.schema.event.EventCodec;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How every role starts its HTTP listener, the same way: virtual threads (handlers block on Kafka
 * and on the search gate, never on CPU), problem+json errors ({@link HttpEdge}), the ops endpoints
 * ({@link OpsEndpoints}), then the role's own routes.
 */
public final class HttpServer {
  private HttpServer() {}

  /**
   * @param role the role's name, for the error when the address is taken
   * @param security HTTPS, or plain HTTP where that is allowed ({@link HttpSecurity#check})
   * @param routes the role's routes and settings (a JSON mapper or a request size of its own)
   * @throws IllegalStateException naming the address when it cannot listen
   */
  public static Javalin start(
      String role,
      String host,
      int port,
      HttpSecurity security,
      PrometheusMeterRegistry registry,
      Supplier<Health> readiness,
      Consumer<JavalinConfig> routes) {
    security.check(role, host);
    Javalin app =
        Javalin.create(
            cfg -> {
              security.tls().ifPresent(tls -> TlsConnector.install(cfg, tls, host, port));
              cfg.startup.showJavalinBanner = false;
              cfg.concurrency.useVirtualThreads = true;
              cfg.jsonMapper(new JavalinJackson(EventCodec.mapper(), false));
              HttpEdge.install(cfg);
              OpsEndpoints.install(cfg, registry, readiness);
              routes.accept(cfg);
            });
    try {
      app.start(host, port);
      FirstRequest.send(host, app.port(), security);
      return app;
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          role + " cannot listen on " + host + ":" + port + ": " + rootMessage(e), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
