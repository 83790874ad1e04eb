package dev.mcpaudit.app.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile gateway with an ordinary source token, against the real collector, indexer and API on a
 * real broker: it writes only the tenants (and gateways) its token is scoped to, never {@code
 * _system}, and what it is refused is kept in the dead-letter topic, never indexed.
 */
class SourceScopeIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  @TempDir static Path dir;

  static final String ACME = TokenDigest.newToken();
  static final String EU_ONLY = TokenDigest.newToken();
  static final String EVERY = TokenDigest.newToken();
  static final String ADMIN = TokenDigest.newToken();
  static final HttpClient http = HttpClient.newHttpClient();

  static String dlq;
  static CollectorServer collector;
  static IndexerService indexer;
  static ApiServer api;

  @BeforeAll
  static void start() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    dlq = decisions + ".dlq";
    String alerts = KafkaBrokerExtension.uniqueTopic("alerts");
    KAFKA.createTopics(2, decisions, dlq, alerts);
    Map<String, String> s =
        new HashMap<>(
            Map.of(
                "kafka.bootstrap-servers",
                KAFKA.bootstrapServers(),
                "topics.decisions",
                decisions,
                "topics.dead-letter",
                dlq,
                "topics.alerts",
                alerts));
    s.putAll(
        Map.of(
            "collector.port", "0",
            "collector.token.acme-gw", TokenDigest.of(ACME),
            "collector.token.acme-gw.tenants", "acme",
            "collector.token.eu-gw", TokenDigest.of(EU_ONLY),
            "collector.token.eu-gw.tenants", "acme",
            "collector.token.eu-gw.gateways", "gw-eu-1",
            "collector.token.fleet", TokenDigest.of(EVERY),
            "collector.token.fleet.tenants", "*"));
    s.putAll(
        Map.of(
            "indexer.port",
            Integer.toString(freePort()),
            "indexer.data-dir",
            dir.toString(),
            "indexer.commit-interval",
            "300ms",
            "indexer.group-id",
            KafkaBrokerExtension.uniqueTopic("scope-indexer")));
    s.putAll(
        Map.of(
            "api.port",
            "0",
            "api.index-dir",
            dir.resolve("index").toString(),
            "api.alerts-dir",
            dir.resolve("alerts").toString(),
            "api.audit-spool-dir",
            dir.resolve("api-audit").toString(),
            "api.reopen-interval",
            "100ms",
            "api.token.root",
            TokenDigest.of(ADMIN),
            "api.token.root.role",
            "admin",
            "api.token.root.tenants",
            "*"));
    Settings settings = Settings.of(TestStamps.with(s));
    collector = CollectorServer.start(CollectorConfig.from(settings));
    indexer = IndexerService.start(IndexerConfig.from(settings));
    api = ApiServer.start(ApiConfig.from(settings));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {api, indexer, collector}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // the next one still closes
      }
    }
  }

  @Test
  void aTokenScopedToAcmeWritesAcmeOnlyAndNeverTheSystemTrail() throws Exception {
    String acme = id();
    String globex = id();
    String system = id();
    HttpResponse<String> r =
        post(
            ACME,
            List.of(
                event(acme, "acme", "gw-eu-1"),
                event(globex, "globex", "gw-eu-1"),
                event(system, "_system", "mcp-audit-api")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode answer = EventCodec.mapper().readTree(r.body());
    assertThat(answer.get("accepted").asInt()).isEqualTo(1);
    assertThat(answer.get("rejected")).hasSize(2);
    assertThat(answer.at("/rejected/0/index").asInt()).isEqualTo(1);
    assertThat(answer.at("/rejected/0/errors/0/pointer").asText()).isEqualTo("/tenant");
    assertThat(answer.at("/rejected/0/errors/0/rule").asText()).isEqualTo("scope");
    assertThat(answer.at("/rejected/1/index").asInt()).isEqualTo(2);
    assertThat(answer.at("/rejected/1/errors/0/pointer").asText()).isEqualTo("/tenant");
    assertThat(answer.at("/rejected/1/errors/0/rule").asText()).isEqualTo("reserved");

    Map<String, String> dead = deadLetters(globex, system);
    assertThat(dead.get(globex))
        .startsWith("/tenant: \"globex\" is not a tenant this source may write");
    assertThat(dead.get(system)).startsWith("/tenant: \"_system\" is mcp-audit's own audit trail");

    // The accepted item is searchable; by then the refused ones would have been too, from the same
    // batch.
    await().atMost(Duration.ofSeconds(60)).until(() -> total("q=event_id:" + acme) == 1);
    assertThat(total("q=event_id:" + globex)).isZero();
    assertThat(total("q=event_id:" + system)).isZero();
    assertThat(total("tenant=_system&q=event_id:" + system)).isZero();
    assertThat(status("/api/v1/decisions/" + system)).isEqualTo(404);
    assertThat(status("/api/v1/decisions/" + globex)).isEqualTo(404);
    // The one writer of _system still writes it: the API's audit of these very searches.
    await().atMost(Duration.ofSeconds(60)).until(() -> total("tenant=_system") > 0);
  }

  @Test
  void aTokenScopedToAGatewayCannotSpeakForAnother() throws Exception {
    String own = id();
    String other = id();
    HttpResponse<String> r =
        post(EU_ONLY, List.of(event(own, "acme", "gw-eu-1"), event(other, "acme", "gw-us-1")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode answer = EventCodec.mapper().readTree(r.body());
    assertThat(answer.get("accepted").asInt()).isEqualTo(1);
    assertThat(answer.get("rejected"))
        .singleElement()
        .satisfies(
            rejected -> {
              assertThat(rejected.get("index").asInt()).isEqualTo(1);
              assertThat(rejected.at("/errors/0/pointer").asText()).isEqualTo("/source/gateway");
              assertThat(rejected.at("/errors/0/message").asText())
                  .contains("\"gw-us-1\"", "gw-eu-1");
            });
    assertThat(deadLetters(other).get(other))
        .startsWith("/source/gateway: \"gw-us-1\" is not a gateway");
    await().atMost(Duration.ofSeconds(60)).until(() -> total("q=event_id:" + own) == 1);
    assertThat(total("q=event_id:" + other)).isZero();
  }

  @Test
  void everyTenantStillExcludesTheSystemTrail() throws Exception {
    String globex = id();
    String system = id();
    HttpResponse<String> r =
        post(
            EVERY,
            List.of(event(globex, "globex", "gw-eu-2"), event(system, "_system", "mcp-audit-api")));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode answer = EventCodec.mapper().readTree(r.body());
    assertThat(answer.get("accepted").asInt()).isEqualTo(1);
    assertThat(answer.get("rejected"))
        .singleElement()
        .satisfies(
            rejected -> {
              assertThat(rejected.at("/errors/0/pointer").asText()).isEqualTo("/tenant");
              assertThat(rejected.at("/errors/0/rule").asText()).isEqualTo("reserved");
            });
    assertThat(deadLetters(system)).containsKey(system);
    await().atMost(Duration.ofSeconds(60)).until(() -> total("q=event_id:" + globex) == 1);
    assertThat(total("q=event_id:" + system)).isZero();
  }

  static String id() {
    return "scope_" + UUID.randomUUID().toString().replace("-", "");
  }

  static String event(String id, String tenant, String gateway) {
    Instant at = Instant.now().minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS);
    return """
        {"schema":"mcp.authz/v1","event_id":"%s","kind":"decision","occurred_at":"%s","tenant":"%s",\
        "decision":"allow","reason_code":"ALLOWED","actor":{"id":"alice@acme.example","type":"user"},\
        "tool":{"server":"mcp-audit","name":"/api/v1/decisions","method":"http/request"},\
        "source":{"gateway":"%s","worker":"w-1"}}"""
        .formatted(id, at, tenant, gateway);
  }

  static HttpResponse<String> post(String token, List<String> events) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + "/v1/decisions"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", events)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Dead-letter error headers by the id found in their value. */
  static Map<String, String> deadLetters(String... ids) {
    Map<String, String> out = TopicReader.deadLetterErrors(KAFKA.bootstrapServers(), dlq, ids);
    assertThat(out).as("dead letters").containsOnlyKeys(ids);
    return out;
  }

  static long total(String query) throws Exception {
    String q = query.replace(":", URLEncoder.encode(":", StandardCharsets.UTF_8));
    HttpResponse<String> r = get("/api/v1/decisions?from=now-1h&" + q);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body()).get("total").asLong();
  }

  static int status(String path) throws Exception {
    return get(path).statusCode();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .header("Authorization", "Bearer " + ADMIN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
