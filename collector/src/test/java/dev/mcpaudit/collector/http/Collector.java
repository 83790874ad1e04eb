package dev.mcpaudit.collector.http;

import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.testkit.TestStamps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** A collector on a random port for a test, and a plain HTTP client to talk to it. */
final class Collector implements AutoCloseable {
  static final String GATEWAY_TOKEN = TokenDigest.newToken();
  static final String OTHER_TOKEN = TokenDigest.newToken();

  final CollectorServer server;
  final HttpClient http = HttpClient.newHttpClient();

  Collector(String bootstrap, String decisions, String dlq, Map<String, String> extra) {
    Map<String, String> s =
        new HashMap<>(
            Map.of(
                "collector.port",
                "0",
                "kafka.bootstrap-servers",
                bootstrap,
                "topics.decisions",
                decisions,
                "topics.dead-letter",
                dlq,
                "collector.token.gateway-eu",
                TokenDigest.of(GATEWAY_TOKEN),
                "collector.token.gateway-eu.tenants",
                "*",
                "collector.token.gateway-us",
                TokenDigest.of(OTHER_TOKEN),
                "collector.token.gateway-us.tenants",
                "*"));
    s.putAll(extra);
    server = CollectorServer.start(CollectorConfig.from(Settings.of(TestStamps.with(s))));
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> post(String token, String contentType, byte[] body, String encoding) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(IngestEndpoint.PATH))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (encoding != null) {
      b.header("Content-Encoding", encoding);
    }
    return send(b.build());
  }

  HttpResponse<String> ndjson(String body) {
    return post(
        GATEWAY_TOKEN,
        "application/x-ndjson",
        body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        null);
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    server.close();
  }
}
