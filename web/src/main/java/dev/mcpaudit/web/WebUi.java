package dev.mcpaudit.web;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import java.util.Map;

/**
 * The analyst UI: static files from the jar ({@code /web} on the classpath) served at {@code /}.
 * Nothing is fetched from elsewhere, and the headers say so: the content security policy allows
 * only this origin, so an injected script or a leaked token has nowhere to go.
 */
public final class WebUi {
  /** Same origin only; no inline script or style; no framing (clickjacking); no referrer. */
  static final Map<String, String> HEADERS =
      Map.of(
          "Content-Security-Policy",
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
              + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          "X-Content-Type-Options",
          "nosniff",
          "Referrer-Policy",
          "no-referrer",
          "X-Frame-Options",
          "DENY",
          "Cache-Control",
          "no-cache");

  private WebUi() {}

  public static void install(JavalinConfig config) {
    config.staticFiles.add(
        files -> {
          files.hostedPath = "/";
          files.directory = "/web";
          files.location = Location.CLASSPATH;
          files.headers = HEADERS;
        });
  }
}
