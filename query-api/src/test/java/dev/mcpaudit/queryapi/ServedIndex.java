package dev.mcpaudit.queryapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stored events (synthetic decisions of tenant-0..2 and a slice of the API's own audit trail,
 * tenant {@code _system}) served by the real api role ({@link ApiServer}) on a random port,
 * configured through the same keys as production: a committed index on disk, or the OpenSearch test
 * node ({@link TestBackend}).
 */
final class ServedIndex implements AutoCloseable {
  static final String SYSTEM_ACTOR = "root-auditor";

  final List<AuthzEvent> events = new ArrayList<>();
  final ApiServer api;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param decisions synthetic decisions over the last hour
   * @param system audit-trail events in tenant _system over the same hour
   * @param settings api.* keys on top of the index location
   */
  ServedIndex(Path dir, int decisions, int system, Map<String, String> settings) throws Exception {
    Instant start =
        Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minus(Duration.ofHours(1));
    SyntheticEvents gen = new SyntheticEvents(4242, start);
    for (int i = 0; i < decisions; i++) {
      events.add(gen.next());
    }
    for (int i = 0; i < system; i++) {
      events.add(systemEvent(i, start.plusSeconds(i)));
    }
    Map<String, String> store = TestBackend.current().store(dir, events);
    Map<String, String> all =
        new HashMap<>(
            Map.of(
                "api.port",
                "0",
                "api.audit",
                "false",
                "api.reopen-interval",
                "1h",
                "api.audit-spool-dir",
                dir.resolve("spool").toString()));
    all.putAll(store);
    all.putAll(settings);
    this.api = ApiServer.start(ApiConfig.from(Settings.of(all)));
  }

  static AuthzEvent systemEvent(int i, Instant at) {
    return AuthzEvent.builder()
        .eventId("api-fixture-" + i)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant(Caller.SYSTEM_TENANT)
        .decision(Decision.ALLOW)
        .reasonCode("ALLOWED")
        .actor(Actor.of(SYSTEM_ACTOR, ActorType.USER))
        .tool(new Tool("mcp-audit", "api.decisions.search", "http/request", null))
        .source(new Source("mcp-audit-api", "it", null, null))
        .build();
  }

  HttpResponse<String> get(String token, String path, Map<String, String> params) throws Exception {
    return http.send(request(token, path, params).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder request(String token, String path, Map<String, String> params) {
    StringBuilder qs = new StringBuilder();
    params.forEach(
        (k, v) ->
            qs.append(qs.isEmpty() ? "?" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path + qs))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    if (r.statusCode() != 200) {
      throw new AssertionError("expected 200, got " + r.statusCode() + ": " + r.body());
    }
    return EventCodec.mapper().readTree(r.body());
  }

  @Override
  public void close() throws Exception {
    api.close();
  }
}
