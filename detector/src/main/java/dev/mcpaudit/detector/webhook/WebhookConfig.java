package dev.mcpaudit.detector.webhook;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where alerts are POSTed and how hard to try.
 *
 * @param urls receivers ({@code detector.webhook.urls}, comma separated; empty: no webhook)
 * @param format {@code json} (the alert as on the topic) or {@code slack} ({"text": ...}) ({@code
 *     detector.webhook.format})
 * @param secret when set, each body is signed: header {@code X-McpAudit-Signature: sha256=<hex
 *     HMAC>} ({@code detector.webhook.secret})
 * @param maxAttempts attempts per alert and URL before it is counted failed ({@code
 *     detector.webhook.max-attempts}, default 8)
 * @param initialBackoff wait after the first failure, doubled each time ({@code
 *     detector.webhook.initial-backoff}, default 500ms)
 * @param maxBackoff cap of that wait ({@code detector.webhook.max-backoff}, default 30s)
 * @param timeout per request ({@code detector.webhook.timeout}, default 5s)
 */
public record WebhookConfig(
    List<URI> urls,
    Format format,
    String secret,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration timeout) {

  public enum Format {
    JSON,
    SLACK
  }

  public WebhookConfig {
    urls = List.copyOf(urls);
    for (URI u : urls) {
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new ConfigException(
            "detector.webhook.urls: expected http(s)://host/..., got a URL with scheme "
                + u.getScheme());
      }
    }
  }

  public boolean enabled() {
    return !urls.isEmpty();
  }

  static final ConfigKey<String> URLS =
      ConfigKey.string(
          "detector.webhook.urls",
          "",
          "a JSON POST per alert to each URL (comma separated); URLs are never logged beyond scheme and host");
  static final ConfigKey<String> FORMAT =
      ConfigKey.string(
          "detector.webhook.format",
          "json",
          "json (the alert as on the topic) or slack ({\"text\": ...})");
  static final ConfigKey<String> SECRET =
      ConfigKey.string(
          "detector.webhook.secret",
          "",
          "when set, bodies are signed: X-McpAudit-Signature: sha256=<hex HMAC-SHA256 of the body>");
  static final ConfigKey<Integer> MAX_ATTEMPTS =
      ConfigKey.integer("detector.webhook.max-attempts", 8, 1, 100, "deliveries tried per alert");
  static final ConfigKey<Duration> INITIAL_BACKOFF =
      ConfigKey.duration(
          "detector.webhook.initial-backoff",
          Duration.ofMillis(500),
          "the first retry's wait, doubled each time");
  static final ConfigKey<Duration> MAX_BACKOFF =
      ConfigKey.duration(
          "detector.webhook.max-backoff",
          Duration.ofSeconds(30),
          "the longest wait between retries");
  static final ConfigKey<Duration> TIMEOUT =
      ConfigKey.duration(
          "detector.webhook.timeout", Duration.ofSeconds(5), "how long one delivery may take");

  /** The keys the webhook sink reads. */
  public static final List<ConfigKey<?>> KEYS =
      List.of(URLS, FORMAT, SECRET, MAX_ATTEMPTS, INITIAL_BACKOFF, MAX_BACKOFF, TIMEOUT);

  public static WebhookConfig from(Settings s) {
    List<URI> urls;
    try {
      urls =
          Arrays.stream(URLS.from(s).split(","))
              .map(String::strip)
              .filter(x -> !x.isEmpty())
              .map(URI::create)
              .toList();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("detector.webhook.urls: not a URL list");
    }
    String format = FORMAT.from(s).toUpperCase(Locale.ROOT);
    if (!format.equals("JSON") && !format.equals("SLACK")) {
      throw new ConfigException(
          "detector.webhook.format: expected json or slack, got "
              + format.toLowerCase(Locale.ROOT));
    }
    String secret = SECRET.from(s);
    return new WebhookConfig(
        urls,
        Format.valueOf(format),
        secret.isEmpty() ? null : secret,
        MAX_ATTEMPTS.from(s),
        INITIAL_BACKOFF.from(s),
        MAX_BACKOFF.from(s),
        TIMEOUT.from(s));
  }

  /** A URL as logs may show it: webhook URLs (Slack's) carry their secret in the path. */
  public static String redacted(URI u) {
    return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + "/…";
  }
}
