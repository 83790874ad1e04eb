package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The query side under attack, against the api role itself (its composition root, real HTTP) over a
 * real index on disk holding more than 10,000 events: forged and misused cursors, dictionary scans,
 * malformed input. Every answer must come quickly, as a 400 (or 503) problem, never a hang or a
 * 500.
 */
class QueryAttacksIT {
  static final int CORPUS = 12_000;
  static final String TOKEN = TokenDigest.newToken();
  static final String SHARED_KEY = "replicas-share-this-cursor-key-0123456789";
  static final Instant START =
      Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofHours(3));

  /** A request that has not answered by now is hung: the test fails instead of waiting with it. */
  static final Duration HUNG = Duration.ofSeconds(15);

  static Path dir;
  static Map<String, String> store;
  static final List<AuthzEvent> corpus = new ArrayList<>();
  static ApiServer api;
  static ApiServer replica;
  static ApiServer stranger;
  static ApiServer permissive;
  static ApiServer hurried;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("query-attacks");
    SyntheticEvents gen = new SyntheticEvents(4242, START);
    for (int i = 0; i < CORPUS; i++) {
      corpus.add(gen.next());
    }
    store = TestBackend.current().store(dir, corpus);
    api = server(Map.of("api.cursor-key", SHARED_KEY));
    replica = server(Map.of("api.cursor-key", SHARED_KEY));
    stranger = server(Map.of());
    permissive =
        server(
            Map.of(
                "api.query.regexp",
                "true",
                "api.query.open-ranges",
                "true",
                "api.query.min-prefix",
                "0"));
    hurried =
        server(
            Map.of(
                "api.query.regexp",
                "true",
                "api.query.min-prefix",
                "0",
                "api.query-timeout",
                "0ms"));
  }

  static ApiServer server(Map<String, String> extra) {
    Map<String, String> s =
        new HashMap<>(
            Map.of(
                "api.port",
                "0",
                "api.audit",
                "false",
                "api.token.carol",
                TokenDigest.of(TOKEN),
                "api.token.carol.role",
                "auditor",
                "api.token.carol.tenants",
                "*"));
    s.putAll(store);
    s.putAll(extra);
    return ApiServer.start(ApiConfig.from(Settings.of(s)));
  }

  @AfterAll
  static void stop() throws Exception {
    for (ApiServer s : new ApiServer[] {api, replica, stranger, permissive, hurried}) {
      if (s != null) {
        s.close();
      }
    }
  }

  static HttpResponse<String> get(ApiServer server, String path, Map<String, String> params)
      throws Exception {
    StringBuilder qs = new StringBuilder();
    params.forEach(
        (k, v) ->
            qs.append(qs.isEmpty() ? "?" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path + qs))
            .header("Authorization", "Bearer " + TOKEN)
            .timeout(HUNG)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static Map<String, String> window(String... kv) {
    Map<String, String> m =
        new HashMap<>(
            Map.of(
                "from",
                Rfc3339.format(START.minusSeconds(1)),
                "to",
                Rfc3339.format(START.plus(Duration.ofHours(2)))));
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body());
  }

  /** A problem+json answer with this status whose detail starts with the parameter's name. */
  static void problem(HttpResponse<String> r, int status, String param) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode p = EventCodec.mapper().readTree(r.body());
    assertThat(p.get("detail").asText()).as(r.body()).startsWith(param);
    assertThat(r.body()).doesNotContain("Exception", "\tat ");
  }

  @Test
  void aFuzzyTermCannotProbeOtherTenantsValues() throws Exception {
    // The planted-terms oracle needs a fuzzy term's top-N ranking over every tenant's values:
    // refused outright.
    for (String q :
        List.of("actor.id:globex-analyst~1", "tool.name:create_isue~2 OR tool.name:merge_pr~1")) {
      HttpResponse<String> r = get(api, "/api/v1/decisions", window("q", q));
      problem(r, 400, "q:");
      assertThat(r.body()).contains("fuzzy terms are off (api.query.fuzzy)");
      problem(get(api, "/api/v1/stats/top", window("q", q, "field", "tool.name")), 400, "q:");
    }
  }

  @Test
  void errorsEchoAtMostEightyEscapedCharactersOfAValue() throws Exception {
    String long3000 = "2026-11-26T09:30:00Z\r\n\u001b[31mforged" + "x".repeat(3000);
    for (String param : List.of("from", "to")) {
      HttpResponse<String> r = get(api, "/api/v1/decisions", Map.of(param, long3000));
      problem(r, 400, param);
      String detail = EventCodec.mapper().readTree(r.body()).get("detail").asText();
      assertThat(detail)
          .doesNotContain("\r", "\n", "\u001b")
          .contains("\\u000d\\u000a\\u001b")
          .doesNotContain("x".repeat(81));
      assertThat(detail.length()).isLessThan(400);
    }
    HttpResponse<String> q = get(api, "/api/v1/decisions", window("q", "(\n" + "y".repeat(3000)));
    problem(q, 400, "q:");
    String detail = EventCodec.mapper().readTree(q.body()).get("detail").asText();
    assertThat(detail).doesNotContain("\n", "y".repeat(81));
    assertThat(detail.length()).isLessThan(500);
  }

  @Test
  void theForgedOverflowingCursorIsA400NotAnEndlessLoop() throws Exception {
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("v1|-9223372036854775808|x".getBytes(StandardCharsets.UTF_8));
    Map<String, String> attack = Map.of("cursor", forged, "from", "1970-01-01T00:00:00.001Z");
    problem(get(api, "/api/v1/decisions", attack), 400, "cursor:");
    // Made up in the current shape, with a MAC that is not one.
    String payload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("v2|-9223372036854775808|x".getBytes(StandardCharsets.UTF_8));
    problem(
        get(
            api,
            "/api/v1/decisions",
            Map.of(
                "cursor", payload + ".AAAAAAAAAAAAAAAAAAAAAA", "from", "1970-01-01T00:00:00.001Z")),
        400,
        "cursor:");
    // And the server is still answering.
    assertThat(ok(get(api, "/api/v1/decisions", window("limit", "1"))).get("total").asLong())
        .isEqualTo(CORPUS);
  }

  @Test
  void aCursorOnlyContinuesTheQueryAndWindowItWasIssuedFor() throws Exception {
    Map<String, String> denies = window("q", "decision:deny", "limit", "100");
    JsonNode first = ok(get(api, "/api/v1/decisions", denies));
    String cursor = first.get("next_cursor").asText();
    Instant lastAt = Instant.parse(first.get("events").get(99).get("occurred_at").asText());

    Map<String, String> next = new HashMap<>(denies);
    next.put("cursor", cursor);
    JsonNode second = ok(get(api, "/api/v1/decisions", next));
    assertThat(second.get("events"))
        .hasSize(100)
        .allSatisfy(
            e -> {
              assertThat(e.get("decision").asText()).isEqualTo("deny");
              assertThat(Instant.parse(e.get("occurred_at").asText())).isBeforeOrEqualTo(lastAt);
            });

    Map<String, String> otherQuery = new HashMap<>(next);
    otherQuery.put("q", "decision:allow");
    problem(get(api, "/api/v1/decisions", otherQuery), 400, "cursor:");
    Map<String, String> otherTenant = new HashMap<>(next);
    otherTenant.put("tenant", "tenant-0");
    problem(get(api, "/api/v1/decisions", otherTenant), 400, "cursor:");
    Map<String, String> laterWindow = new HashMap<>(next);
    laterWindow.put("from", Rfc3339.format(lastAt.plusMillis(1)));
    problem(get(api, "/api/v1/decisions", laterWindow), 400, "cursor:");
    Map<String, String> tampered = new HashMap<>(next);
    char c = cursor.charAt(3);
    tampered.put("cursor", cursor.substring(0, 3) + (c == 'A' ? 'B' : 'A') + cursor.substring(4));
    problem(get(api, "/api/v1/decisions", tampered), 400, "cursor:");
  }

  @Test
  void replicasWithTheSameCursorKeyAcceptEachOthersCursorsOthersDoNot() throws Exception {
    Map<String, String> p = window("limit", "50");
    String cursor = ok(get(api, "/api/v1/decisions", p)).get("next_cursor").asText();
    p.put("cursor", cursor);
    JsonNode here = ok(get(api, "/api/v1/decisions", p));
    JsonNode there = ok(get(replica, "/api/v1/decisions", p));
    assertThat(there.get("events")).isEqualTo(here.get("events"));
    problem(get(stranger, "/api/v1/decisions", p), 400, "cursor:");
  }

  @Test
  void dictionaryScansAreRefusedOnEveryEndpointThatTakesQ() throws Exception {
    for (String q :
        List.of(
            "actor.id:/.*bot.*/",
            "event_id:[* TO *]",
            "actor.id:*bot*",
            "tool.name:c*",
            "event_id:[a TO z]")) {
      problem(get(api, "/api/v1/decisions", window("q", q)), 400, "q:");
      problem(get(api, "/api/v1/stats/top", window("q", q, "field", "tool.name")), 400, "q:");
      problem(get(api, "/api/v1/stats/histogram", window("q", q)), 400, "q:");
      problem(get(api, "/api/v1/export", window("q", q, "format", "ndjson")), 400, "q:");
    }
    // Narrow forms of the same still run.
    long creates = corpus.stream().filter(e -> e.tool().name().startsWith("create_")).count();
    assertThat(
            ok(get(api, "/api/v1/decisions", window("q", "tool.name:create_*", "limit", "1")))
                .get("total")
                .asLong())
        .isEqualTo(creates)
        .isPositive();
  }

  @Test
  void switchedOnAScanRunsUnderTheDeadline() throws Exception {
    JsonNode all =
        ok(
            get(
                permissive,
                "/api/v1/decisions",
                window("q", "event_id:/.*/ AND event_id:[* TO *]", "limit", "1")));
    assertThat(all.get("total").asLong()).isEqualTo(CORPUS);
    // With no time to spend, the same scan ends at once with 503 and Retry-After, not a 500 or a
    // hang.
    HttpResponse<String> late = get(hurried, "/api/v1/decisions", window("q", "event_id:/.*/"));
    assertThat(late.statusCode()).as(late.body()).isEqualTo(503);
    assertThat(late.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void malformedInputIsA400NamingTheParameter() throws Exception {
    problem(get(permissive, "/api/v1/decisions", window("q", "actor.id:/(/")), 400, "q:");
    problem(get(api, "/api/v1/decisions", window("q", "actor.id:/(/")), 400, "q:");
    problem(
        get(api, "/api/v1/decisions", window("q", "occurred_at:[99999999999999999999 TO *]")),
        400,
        "q:");
    problem(
        get(api, "/api/v1/decisions", Map.of("from", "now-99999999999999999999d")), 400, "from:");
    problem(get(api, "/api/v1/decisions", Map.of("from", "now-9999999999d")), 400, "from:");
    problem(
        get(api, "/api/v1/stats/histogram", Map.of("from", "now-99999999999999999999d")),
        400,
        "from:");
    problem(
        get(
            api,
            "/api/v1/stats/top",
            Map.of("field", "tool.name", "to", "now-99999999999999999999h")),
        400,
        "to:");
    problem(
        get(api, "/api/v1/access", Map.of("actor", "x", "from", "now-99999999999999999999d")),
        400,
        "from:");
    problem(get(api, "/api/v1/alerts", Map.of("from", "now-99999999999999999999d")), 400, "from:");
    problem(get(api, "/api/v1/decisions", Map.of("cursor", "x".repeat(4000))), 400, "cursor:");
  }

  @Test
  void totalsAreExactAboveTenThousand() throws Exception {
    JsonNode all = ok(get(api, "/api/v1/decisions", window("limit", "1")));
    assertThat(all.get("total").asLong()).isEqualTo(CORPUS).isGreaterThan(10_000);
    assertThat(all.get("total_relation").asText()).isEqualTo("eq");
    long denies = corpus.stream().filter(e -> e.decision() == Decision.DENY).count();
    JsonNode deny = ok(get(api, "/api/v1/decisions", window("q", "decision:deny", "limit", "1")));
    assertThat(deny.get("total").asLong()).isEqualTo(denies);
    long tenant0 = corpus.stream().filter(e -> e.tenant().equals("tenant-0")).count();
    assertThat(
            ok(get(api, "/api/v1/decisions", window("tenant", "tenant-0", "limit", "1")))
                .get("total")
                .asLong())
        .isEqualTo(tenant0);
  }
}
