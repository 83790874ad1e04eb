package dev.mcpaudit.app.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.PrometheusText;
import dev.mcpaudit.testkit.TestStamps;
import java.io.ByteArrayOutputStream;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alert rules through the whole pipeline (README, "Alert rules"): a rule saved through the API is
 * applied by the running detector to live traffic sent through the collector, one alert per
 * offending actor; its threshold edited, the next events are judged by the new one; deleted, it
 * raises nothing more; its preview over the stored events names exactly the alerts it raised live.
 * A tenant's own deny-burst threshold applies to that tenant alone. The decisions topic has one
 * partition, so every event is judged in the order sent and a later canary's alert proves the
 * events before it were judged.
 */
class RulesIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  private static final String RULE = "/api/v1/rules/allowed-deletes";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String admin = TokenDigest.newToken();
  private final String globexAuditor = TokenDigest.newToken();
  private final String analyst = TokenDigest.newToken();
  private int apiPort;
  private int detectorPort;
  private int collectorPort;
  private String source;
  private long sequence;

  /**
   * Where the current phase's events start: at most 150 s ago (the API's audit events, at the time
   * they happen, share the topic, and an event 5 min behind them would be late) and after every
   * event sent so far, so phases follow each other in event time.
   */
  private Instant phase;

  private Instant last = Instant.EPOCH;

  private Instant startPhase() {
    Instant recent = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(150);
    phase = recent.isAfter(last) ? recent : last.plusSeconds(1);
    return phase;
  }

  @Test
  void aRuleSavedThroughTheApiRaisesOnLiveTrafficIsEditedDeletedAndPreviewedAlike()
      throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("rules-decisions");
    KAFKA.createTopics(1, decisions, decisions + ".dlq", decisions + ".alerts");
    source = TokenDigest.newToken();
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.decisions", decisions);
    s.put("topics.dead-letter", decisions + ".dlq");
    s.put("topics.alerts", decisions + ".alerts");
    s.put("topics.alert-changes", decisions + ".alert-changes");
    s.put("topics.rules", decisions + ".rules");
    s.put("topics.partitions", "1");
    s.put("collector.port", "0");
    s.put("collector.token.gw", TokenDigest.of(source));
    s.put("collector.token.gw.tenants", "acme,globex");
    s.put("indexer.port", Integer.toString(freePort()));
    s.put("indexer.data-dir", dir.resolve("data").toString());
    s.put("indexer.commit-interval", "300ms");
    s.put("indexer.group-id", KafkaBrokerExtension.uniqueTopic("rules-indexer"));
    detectorPort = freePort();
    s.put("detector.port", Integer.toString(detectorPort));
    s.put("detector.state-dir", dir.resolve("detector").toString());
    s.put("detector.application-id", KafkaBrokerExtension.uniqueTopic("rules-detector"));
    // globex's own deny-burst threshold; acme keeps the detector's (20 within 60 s).
    s.put("detector.per-tenant.deny-burst.threshold", "globex=5");
    s.put("detector.per-tenant.deny-burst.window", "globex=30s");
    s.put("api.port", "0");
    s.put("api.index-dir", dir.resolve("data").resolve("index").toString());
    s.put("api.audit-spool-dir", dir.resolve("spool").toString());
    s.put("api.reopen-interval", "100ms");
    token(s, "root", admin, "admin", "*");
    token(s, "gaud", globexAuditor, "auditor", "globex");
    token(s, "ana", analyst, "analyst", "acme");
    Settings settings = Settings.of(TestStamps.with(s));
    try (CollectorServer collector = CollectorServer.start(CollectorConfig.from(settings));
        DetectorService detector = DetectorService.start(DetectorConfig.from(settings));
        IndexerService indexer = IndexerService.start(IndexerConfig.from(settings));
        ApiServer api = ApiServer.start(ApiConfig.from(settings))) {
      apiPort = api.port();
      collectorPort = collector.port();

      // Refused: an analyst, an auditor, a query the parser refuses, a bad group.
      String rule =
          """
          {"name":"Allowed deletes","tenant":"acme",
           "query":"decision:allow AND tool.name:delete_*","group_by":["actor.id"],
           "threshold":%d,"window_seconds":600,"severity":"high","owasp":["ASI02"]}
          """;
      assertThat(put(analyst, RULE, rule.formatted(3)).statusCode()).isEqualTo(403);
      assertThat(put(globexAuditor, RULE, rule.formatted(3)).statusCode()).isEqualTo(403);
      HttpResponse<String> unparsable =
          put(admin, RULE, rule.formatted(3).replace("delete_*", "(delete_*"));
      assertThat(unparsable.statusCode()).isEqualTo(400);
      assertThat(json(unparsable.body()).get("errors").get(0).get("pointer").asText())
          .isEqualTo("/query");
      assertThat(unparsable.body()).contains("Cannot parse");
      HttpResponse<String> badGroup =
          put(admin, RULE, rule.formatted(3).replace("\"actor.id\"", "\"reason\""));
      assertThat(badGroup.statusCode()).isEqualTo(400);
      assertThat(badGroup.body()).contains("/group_by/0");
      assertThat(get(admin, "/api/v1/rules").get("rules")).isEmpty();

      // Saved: the running detector applies it within seconds.
      long saved = System.nanoTime();
      int changes = ruleChanges();
      HttpResponse<String> created = put(admin, RULE, rule.formatted(3));
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(json(created.body()).get("version").asInt()).isEqualTo(1);
      awaitRuleChanges(changes + 1);
      System.out.printf(
          "rule applied by the detector %d ms after the PUT was sent%n",
          (System.nanoTime() - saved) / 1_000_000);

      // Phase 1, threshold 3 within 10 min: a1 3 deletes, a2 4 (one alert), a3 2, a4 3 denied,
      // a5 3 allowed non-deletes, globex's a1 3 deletes (another tenant).
      Instant from1 = startPhase();
      List<AuthzEvent> phase1 = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        long t = i * 40L;
        if (i < 3) {
          phase1.add(call("acme", "a1", "delete_repo", true, t));
          phase1.add(call("acme", "a4", "delete_repo", false, t + 1));
          phase1.add(call("acme", "a5", "create_issue", true, t + 2));
          phase1.add(call("globex", "a1", "delete_repo", true, t + 3));
        }
        if (i < 2) {
          phase1.add(call("acme", "a3", "delete_file", true, t + 4));
        }
        phase1.add(call("acme", "a2", "delete_file", true, t + 5));
      }
      send(phase1);
      Instant to1 = last.plusSeconds(1); // a range ends before its "to"
      canary("c1");
      List<JsonNode> live1 = customAlerts();
      assertThat(live1).extracting(a -> a.get("subject").asText()).containsExactly("a1", "a2");
      JsonNode a1 = live1.get(0);
      assertThat(a1.get("rule").get("id").asText()).isEqualTo("allowed-deletes");
      assertThat(a1.get("rule").get("version").asInt()).isEqualTo(1);
      assertThat(a1.get("owasp").toString()).isEqualTo("[\"ASI02\"]");
      assertThat(a1.get("severity").asText()).isEqualTo("high");
      assertThat(a1.get("evidence")).hasSize(3);

      // Edited to 2: the next events are judged by it, with no restart.
      changes = ruleChanges();
      HttpResponse<String> edited = put(admin, RULE, rule.formatted(2));
      assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
      assertThat(json(edited.body()).get("version").asInt()).isEqualTo(2);
      awaitRuleChanges(changes + 1);
      Instant from2 = startPhase();
      send(
          List.of(
              call("acme", "a6", "delete_repo", true, 0),
              call("acme", "a6", "delete_repo", true, 10),
              call("acme", "a7", "delete_repo", true, 20)));
      Instant to2 = last.plusSeconds(1);
      canary("c2");
      List<JsonNode> live2 = customAlerts();
      assertThat(live2)
          .extracting(a -> a.get("subject").asText())
          .containsExactly("a1", "a2", "a6");
      assertThat(live2.get(2).get("rule").get("version").asInt()).isEqualTo(2);

      // The preview of each version over the events it judged lists the alerts it raised, by id.
      Map<String, String> ids = new TreeMap<>();
      live2.forEach(a -> ids.put(a.get("subject").asText(), a.get("alert_id").asText()));
      JsonNode p1 =
          preview(
              analyst,
              "{\"rule\":"
                  + rule.formatted(3).replace("{\"name\"", "{\"id\":\"allowed-deletes\",\"name\"")
                  + "}",
              from1,
              to1);
      assertThat(p1.get("alerts"))
          .extracting(a -> a.get("alert_id").asText())
          .containsExactly(ids.get("a1"), ids.get("a2"));
      assertThat(p1.get("events").asInt()).isEqualTo(9); // acme's allowed deletes: 3 + 4 + 2
      assertThat(p1.get("suppressed").asInt()).isEqualTo(1);
      JsonNode p2 = preview(analyst, "{\"rule_id\":\"allowed-deletes\"}", from2, to2);
      assertThat(p2.get("rule").get("version").asInt()).isEqualTo(2);
      assertThat(p2.get("alerts"))
          .extracting(a -> a.get("alert_id").asText())
          .containsExactly(ids.get("a6"));
      assertThat(p2.get("judged_all").asBoolean()).isTrue();

      // Deleted: nothing more.
      assertThat(delete(globexAuditor, RULE).statusCode()).isEqualTo(403);
      // acme's analyst previews acme, not globex.
      assertThat(
              previewStatus(
                  analyst, "{\"builtin\":\"DENY_BURST\",\"tenant\":\"globex\",\"threshold\":5}"))
          .isEqualTo(403);
      changes = ruleChanges();
      assertThat(delete(admin, RULE).statusCode()).isEqualTo(204);
      awaitRuleChanges(changes + 1);
      assertThat(request(admin, RULE).statusCode()).isEqualTo(404);
      startPhase();
      send(
          List.of(
              call("acme", "a8", "delete_repo", true, 0),
              call("acme", "a8", "delete_repo", true, 1),
              call("acme", "a8", "delete_repo", true, 2)));
      canary("c3");
      assertThat(customAlerts()).hasSize(3);

      // Per-tenant deny-burst threshold: 6 denies of acme's b1 (threshold 20) raise nothing;
      // 5 of globex's b1 (threshold 5) raise one, and it names its threshold.
      Instant p4 = startPhase();
      List<AuthzEvent> denies = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        denies.add(call("acme", "b1", "read_file", false, i));
      }
      Instant p4End = last.plusSeconds(1);
      for (int i = 0; i < 5; i++) {
        denies.add(call("globex", "b1", "read_file", false, 10 + i));
      }
      send(denies);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> alerts("globex", "DENY_BURST").size() == 1);
      JsonNode burst = alerts("globex", "DENY_BURST").get(0);
      assertThat(burst.get("summary").asText()).contains("threshold 5");
      assertThat(burst.get("owasp").toString()).isEqualTo("[\"ASI02\",\"ASI10\"]");
      canary("c4");
      assertThat(alerts("acme", "DENY_BURST")).isEmpty();
      // What acme's threshold at 5 would have caught, without changing it.
      JsonNode whatIf =
          preview(
              admin,
              "{\"builtin\":\"DENY_BURST\",\"tenant\":\"acme\",\"threshold\":5,\"window_seconds\":30}",
              p4,
              p4End);
      assertThat(whatIf.get("type").asText()).isEqualTo("DENY_BURST");
      assertThat(whatIf.get("alerts"))
          .extracting(a -> a.get("subject").asText())
          .containsExactly(actor("b1"));

      // Every change is in the audit trail with who made it.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  get(
                              admin,
                              "/api/v1/decisions?tenant=_system&from=now-1h&q="
                                  + enc("tool.name:api.rules.*"))
                          .get("total")
                          .asInt()
                      >= 3);
      TreeSet<String> audited = new TreeSet<>();
      get(
              admin,
              "/api/v1/decisions?tenant=_system&from=now-1h&limit=100&q="
                  + enc("tool.name:api.rules.*"))
          .get("events")
          .forEach(
              e ->
                  audited.add(
                      e.get("tool").get("name").asText() + " " + e.path("reason").asText("")));
      assertThat(audited)
          .anySatisfy(
              x -> assertThat(x).startsWith("api.rules.put created alert rule allowed-deletes v1"))
          .anySatisfy(
              x -> assertThat(x).startsWith("api.rules.put changed alert rule allowed-deletes v2"))
          .anySatisfy(
              x -> assertThat(x).startsWith("api.rules.delete deleted alert rule allowed-deletes"));
    }
  }

  /** A canary rule raises on one event: its alert means every event sent before was judged. */
  private void canary(String id) throws Exception {
    String path = "/api/v1/rules/canary-" + id;
    int changes = ruleChanges();
    assertThat(
            put(
                    admin,
                    path,
                    "{\"name\":\"canary\",\"tenant\":\"acme\",\"query\":\"tool.name:canary_"
                        + id
                        + "\"}")
                .statusCode())
        .isEqualTo(201);
    awaitRuleChanges(changes + 1);
    startPhase();
    send(List.of(call("acme", "canary", "canary_" + id, true, 0)));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                alerts("acme", "CUSTOM_RULE").stream()
                    .anyMatch(a -> a.get("rule").get("id").asText().equals("canary-" + id)));
    assertThat(delete(admin, path).statusCode()).isEqualTo(204);
    awaitRuleChanges(changes + 2);
  }

  /** acme's alerts of the rule under test, oldest first, subjects without the actor prefix. */
  private List<JsonNode> customAlerts() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : alerts("acme", "CUSTOM_RULE")) {
      if (a.get("rule").get("id").asText().equals("allowed-deletes")) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) a)
            .put("subject", a.get("subject").asText().replace(actor(""), ""));
        out.add(a);
      }
    }
    out.sort(java.util.Comparator.comparing((JsonNode a) -> a.get("subject").asText()));
    return out;
  }

  private List<JsonNode> alerts(String tenant, String type) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    get(admin, "/api/v1/alerts?tenant=" + tenant + "&type=" + type + "&from=now-2h&limit=1000")
        .get("alerts")
        .forEach(out::add);
    return out;
  }

  private int ruleChanges() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + detectorPort + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    PrometheusText.Family f =
        PrometheusText.parse(r.body()).get("mcp_audit_detector_rule_changes_applied");
    return f == null ? 0 : (int) f.samples().get(0).value();
  }

  private void awaitRuleChanges(int n) {
    await().atMost(Duration.ofSeconds(30)).until(() -> ruleChanges() >= n);
  }

  private static String actor(String name) {
    return "spiffe://example.org/agent/" + name;
  }

  /** A tool call of {@code actor}, {@code second} seconds into the phase. */
  private AuthzEvent call(String tenant, String actor, String tool, boolean allow, long second) {
    long n = sequence++;
    Instant at = phase.plusSeconds(second);
    last = at.isAfter(last) ? at : last;
    return AuthzEvent.builder()
        .eventId("rules-" + n)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant(tenant)
        .decision(allow ? Decision.ALLOW : Decision.DENY)
        .reasonCode(allow ? "ALLOWED" : "POLICY_DENY")
        .actor(new Actor(actor(actor), ActorType.AGENT, "user@example.org", null))
        .tool(new Tool("github", tool, "tools/call", null))
        .request(new RequestInfo("req-" + n, "nonce-rules-" + n, null, null, null))
        .source(new Source("gw-1", "w-" + (n % 2), "eu-west-1", null))
        .build();
  }

  private void send(List<AuthzEvent> events) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (AuthzEvent e : events) {
      body.writeBytes(EventCodec.encode(e));
      body.write('\n');
    }
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + collectorPort + "/v1/decisions"))
                .header("Authorization", "Bearer " + source)
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
  }

  private JsonNode preview(String token, String body, Instant from, Instant to) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + apiPort
                            + "/api/v1/rules/_preview?from="
                            + enc(Rfc3339.format(from))
                            + "&to="
                            + enc(Rfc3339.format(to))))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r.body());
  }

  private int previewStatus(String token, String body) throws Exception {
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + apiPort + "/api/v1/rules/_preview"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private HttpResponse<String> put(String token, String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> delete(String token, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Authorization", "Bearer " + token)
            .DELETE()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> request(String token, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String token, String path) throws Exception {
    HttpResponse<String> r = request(token, path);
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return json(r.body());
  }

  private static JsonNode json(String body) throws Exception {
    return EventCodec.mapper().readTree(body);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void token(
      Map<String, String> s, String who, String token, String role, String tenants) {
    s.put("api.token." + who, TokenDigest.of(token));
    s.put("api.token." + who + ".role", role);
    s.put("api.token." + who + ".tenants", tenants);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
