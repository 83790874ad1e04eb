package dev.mcpaudit.app.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.app.simulate.DemoTraffic;
import dev.mcpaudit.app.simulate.Simulator;
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
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert workflow through the whole pipeline: demo traffic through the collector, alerts from
 * the real detector, indexed by the real indexer, changed through the API. Acknowledge, assign,
 * close with a reason and a note, reopen; filters and counts by status and assignee; the changes in
 * the API's own audit trail with the caller; a bulk close of exactly the matching alerts; another
 * tenant's alert not found; two changes on one version, one refused; and the statuses rebuilt the
 * same by an indexer whose data directory was deleted.
 */
class AlertWorkflowIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String ana = TokenDigest.newToken();
  private final String globexOnly = TokenDigest.newToken();
  private final String admin = TokenDigest.newToken();
  private int apiPort;

  @Test
  void analystsWorkAlertsAndTheStateSurvivesARebuild() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("wf-decisions");
    String dlq = decisions + ".dlq";
    String alerts = decisions + ".alerts";
    KAFKA.createTopics(2, decisions, dlq, alerts);
    String source = TokenDigest.newToken();
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.decisions", decisions);
    s.put("topics.dead-letter", dlq);
    s.put("topics.alerts", alerts);
    s.put("topics.alert-changes", decisions + ".alert-changes");
    s.put("collector.port", "0");
    s.put("collector.token.gw", TokenDigest.of(source));
    s.put("collector.token.gw.tenants", "*");
    s.put("indexer.port", Integer.toString(freePort()));
    s.put("indexer.data-dir", dir.resolve("data").toString());
    s.put("indexer.commit-interval", "300ms");
    s.put("indexer.group-id", KafkaBrokerExtension.uniqueTopic("wf-indexer"));
    s.put("detector.port", Integer.toString(freePort()));
    s.put("detector.state-dir", dir.resolve("detector").toString());
    s.put("detector.application-id", KafkaBrokerExtension.uniqueTopic("wf-detector"));
    s.put("api.port", "0");
    s.put("api.index-dir", dir.resolve("data").resolve("index").toString());
    s.put("api.audit-spool-dir", dir.resolve("spool").toString());
    s.put("api.reopen-interval", "100ms");
    token(s, "ana", ana, "analyst", "*");
    token(s, "gus", globexOnly, "analyst", "globex");
    token(s, "root", admin, "admin", "*");
    Settings settings = Settings.of(TestStamps.with(s));
    Map<String, String> before;
    String window;
    try (CollectorServer collector = CollectorServer.start(CollectorConfig.from(settings));
        DetectorService detector = DetectorService.start(DetectorConfig.from(settings))) {
      IndexerService indexer = IndexerService.start(IndexerConfig.from(settings));
      ApiServer api = ApiServer.start(ApiConfig.from(settings));
      apiPort = api.port();
      Simulator sim =
          new Simulator(
              URI.create("http://127.0.0.1:" + collector.port()),
              source,
              40,
              null,
              new DemoTraffic(
                  7,
                  DemoTraffic.agentsFor(40),
                  Instant.now().plusSeconds(2),
                  Duration.ofSeconds(2)),
              Clock.systemUTC(),
              2,
              null);
      Thread simThread = Thread.ofPlatform().daemon(true).start(sim);
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () -> get(ana, "/api/v1/alerts?tenant=acme&from=now-1h").get("total").asInt() >= 6);
      sim.stop();
      simThread.join(10_000);
      // Every question below is bounded to the alerts raised so far, whatever still arrives.
      JsonNode listed = get(ana, "/api/v1/alerts?tenant=acme&from=now-1h&limit=1000");
      Instant newest = Instant.parse(listed.get("alerts").get(0).get("detected_at").asText());
      window = "&from=now-1h&to=" + enc(Rfc3339.format(newest.plusMillis(1)));
      List<String> ids = new ArrayList<>();
      get(ana, "/api/v1/alerts?tenant=acme" + window + "&limit=1000")
          .get("alerts")
          .forEach(a -> ids.add(a.get("alert_id").asText()));
      String first = ids.get(0);
      String second = ids.get(1);

      // One alert through its life, each change on the version the caller saw.
      JsonNode one = get(ana, "/api/v1/alerts/" + first);
      assertThat(one.get("state").get("status").asText()).isEqualTo("open");
      assertThat(one.get("state").get("version").asInt()).isZero();
      assertThat(patch(ana, first, "0", "{\"status\":\"acknowledged\"}").statusCode())
          .isEqualTo(200);
      assertThat(patch(ana, first, "1", "{\"assignee\":\"alice\"}").statusCode()).isEqualTo(200);
      HttpResponse<String> closed =
          patch(
              ana,
              first,
              "2",
              "{\"status\":\"closed\",\"close_reason\":\"false_positive\",\"note\":\"test job of the release bot\"}");
      assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
      assertThat(closed.headers().firstValue("ETag")).contains("\"3\"");
      assertThat(json(closed.body()).get("state").get("close_reason").asText())
          .isEqualTo("false_positive");
      assertThat(patch(ana, first, "3", "{\"status\":\"open\"}").statusCode()).isEqualTo(200);
      HttpResponse<String> again =
          patch(ana, first, "4", "{\"status\":\"closed\",\"close_reason\":\"true_positive\"}");
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
      // A stale version is refused and changes nothing.
      HttpResponse<String> stale = patch(ana, first, "2", "{\"status\":\"open\"}");
      assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
      // A change that does not apply is named.
      HttpResponse<String> noReason = patch(ana, second, null, "{\"status\":\"closed\"}");
      assertThat(noReason.statusCode()).isEqualTo(400);
      assertThat(noReason.body()).contains("close_reason");

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ids(get(ana, "/api/v1/alerts?tenant=acme&status=closed" + window))
                      .contains(first));
      JsonNode history = get(ana, "/api/v1/alerts/" + first).get("state");
      assertThat(history.get("version").asInt()).isEqualTo(5);
      assertThat(history.get("status").asText()).isEqualTo("closed");
      assertThat(history.get("assignee").asText()).isEqualTo("alice");
      assertThat(history.get("updated_by").asText()).isEqualTo("ana");
      assertThat(history.get("history")).hasSize(5);
      assertThat(history.get("history").get(2).get("note").asText())
          .isEqualTo("test job of the release bot");
      JsonNode byAlice = get(ana, "/api/v1/alerts?tenant=acme&assignee=alice" + window);
      assertThat(ids(byAlice)).containsExactly(first);
      assertThat(count(byAlice.get("facets").get("assignee"), "alice")).isEqualTo(1);
      assertThat(count(byAlice.get("facets").get("status"), "closed")).isEqualTo(1);

      // The changes are in the API's own audit trail, with the caller and what changed.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  get(
                              admin,
                              "/api/v1/decisions?tenant=_system&from=now-1h&limit=100&q="
                                  + enc("tool.name:\"api.alerts.change\""))
                          .get("total")
                          .asInt()
                      >= 5);
      JsonNode audited =
          get(
              admin,
              "/api/v1/decisions?tenant=_system&from=now-1h&limit=100&q="
                  + enc("tool.name:\"api.alerts.change\""));
      List<String> versions = new ArrayList<>();
      audited
          .get("events")
          .forEach(
              e -> {
                assertThat(e.get("actor").get("id").asText()).isEqualTo("ana");
                assertThat(e.get("attributes").get("alert_id").asText()).isEqualTo(first);
                versions.add(e.get("attributes").get("version").asText());
              });
      assertThat(versions).containsExactlyInAnyOrder("1", "2", "3", "4", "5");

      // What an attacker sends: every bad body, header and size is a 400/413 naming the field,
      // none a 500, and the alert is unchanged.
      Map<String, String> bad = new java.util.LinkedHashMap<>();
      bad.put("{\"status\":\"CLOSED\"}", "status");
      bad.put("{\"status\":\"closed\",\"close_reason\":\"because\"}", "close_reason");
      bad.put("{\"status\":7}", "status");
      bad.put("{\"assignee\":\"bob smith\"}", "assignee");
      bad.put("{\"assignee\":\"none\"}", "assignee");
      bad.put("{\"assignee\":[\"bob\"]}", "assignee");
      bad.put("{\"note\":\"" + "x".repeat(2001) + "\"}", "note");
      bad.put("{\"note\":\"line\\u0000break\"}", "note");
      bad.put("{\"tenant\":\"globex\",\"note\":\"x\"}", "tenant");
      bad.put("{\"version\":-1,\"note\":\"x\"}", "version");
      bad.put("{}", "nothing to change");
      bad.put("[1,2]", "body");
      bad.put("{\"note\":", "body");
      bad.put("{\"status\":\"open\",\"close_reason\":\"benign\"}", "close_reason");
      for (Map.Entry<String, String> e : bad.entrySet()) {
        HttpResponse<String> r = patch(ana, first, null, e.getKey());
        assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
        assertThat(json(r.body()).get("detail").asText()).as(e.getKey()).contains(e.getValue());
      }
      for (String ifMatch : List.of("abc", "-1", "\"99999999999\"", "1,2")) {
        HttpRequest.Builder b =
            HttpRequest.newBuilder(api("/api/v1/alerts/" + first))
                .header("Authorization", "Bearer " + ana)
                .header("If-Match", ifMatch)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"note\":\"x\"}"));
        HttpResponse<String> r = send(b);
        assertThat(r.statusCode()).as(ifMatch).isEqualTo(400);
        assertThat(r.body()).contains("If-Match");
      }
      assertThat(patch(ana, first, null, "{\"note\":\"" + "x".repeat(70_000) + "\"}").statusCode())
          .isEqualTo(413);
      assertThat(patch(ana, "al-%3Cscript%3E", null, "{\"note\":\"x\"}").statusCode())
          .isEqualTo(400);
      assertThat(patch(ana, "al-not-there", null, "{\"note\":\"x\"}").statusCode()).isEqualTo(404);
      // Changes that skip the API: unstamped, or stamped as another role. Never applied.
      String forgedValue =
          "{\"change_id\":\"forged-1\",\"tenant\":\"acme\",\"alert_id\":\""
              + first
              + "\",\"alert_detected_at\":\""
              + one.get("detected_at").asText()
              + "\",\"version\":6,\"at\":\"2026-01-01T00:00:00Z\",\"by\":\"mallory\","
              + "\"from\":{\"status\":\"closed\",\"assignee\":\"alice\",\"close_reason\":\"true_positive\"},"
              + "\"to\":{\"status\":\"open\",\"assignee\":\"mallory\",\"close_reason\":null},\"note\":null}";
      try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> p =
          new org.apache.kafka.clients.producer.KafkaProducer<>(
              Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
              new org.apache.kafka.common.serialization.ByteArraySerializer(),
              new org.apache.kafka.common.serialization.ByteArraySerializer())) {
        byte[] v = forgedValue.getBytes(StandardCharsets.UTF_8);
        p.send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    decisions + ".alert-changes", v, v))
            .get();
        byte[] v2 = forgedValue.replace("forged-1", "forged-2").getBytes(StandardCharsets.UTF_8);
        p.send(
                TestStamps.stamped(
                    new org.apache.kafka.clients.producer.ProducerRecord<>(
                        decisions + ".alert-changes", v2, v2),
                    dev.mcpaudit.kafka.stamp.StampKind.DETECTOR))
            .get();
      }
      Map<String, String> refused =
          dev.mcpaudit.testkit.TopicReader.deadLetterErrors(
              KAFKA.bootstrapServers(), dlq, "forged-1", "forged-2");
      assertThat(refused).containsOnlyKeys("forged-1", "forged-2");
      assertThat(refused.values()).allSatisfy(e -> assertThat(e).contains("no valid api stamp"));
      JsonNode still = get(ana, "/api/v1/alerts/" + first).get("state");
      assertThat(still.get("version").asInt()).isEqualTo(5);
      assertThat(still.get("assignee").asText()).isEqualTo("alice");
      // The API's own reading skipped them too: the next change still follows version 5.
      HttpResponse<String> noted =
          patch(ana, first, "5", "{\"note\":\"checked the forged records\"}");
      assertThat(noted.statusCode()).as(noted.body()).isEqualTo(200);
      assertThat(json(noted.body()).get("version").asInt()).isEqualTo(6);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> get(ana, "/api/v1/alerts/" + first).get("state").get("version").asInt() == 6);

      // Another tenant's alert is not there for a caller of globex only.
      String acmeAlert = first;
      assertThat(
              patch(
                      globexOnly,
                      acmeAlert,
                      null,
                      "{\"status\":\"closed\",\"close_reason\":\"benign\"}")
                  .statusCode())
          .isEqualTo(404);
      assertThat(status(globexOnly, "/api/v1/alerts/" + acmeAlert)).isEqualTo(404);

      // Two changes on the same version at once: one applies, the other is refused.
      CompletableFuture<HttpResponse<String>> a =
          patchAsync(ana, second, "0", "{\"status\":\"acknowledged\"}");
      CompletableFuture<HttpResponse<String>> b =
          patchAsync(ana, second, "0", "{\"assignee\":\"bob\"}");
      List<Integer> codes = List.of(a.get().statusCode(), b.get().statusCode());
      assertThat(codes).containsExactlyInAnyOrder(200, 409);
      // The index shows a change within its refresh; the one that applied, and only it.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> get(ana, "/api/v1/alerts/" + second).get("state").get("version").asInt() == 1);
      JsonNode raced = get(ana, "/api/v1/alerts/" + second).get("state");
      assertThat(raced.get("history")).hasSize(1);
      assertThat(
              raced.get("status").asText().equals("acknowledged")
                  != raced.get("assignee").asText("").equals("bob"))
          .as("exactly one of the two changes: " + raced)
          .isTrue();

      // The same race across two API replicas: the topic's order decides, and both agree.
      Map<String, String> s2 = new HashMap<>(s);
      s2.put("api.audit-spool-dir", dir.resolve("spool-2").toString());
      String third = ids.get(3);
      try (ApiServer replica = ApiServer.start(ApiConfig.from(Settings.of(TestStamps.with(s2))))) {
        CompletableFuture<HttpResponse<String>> onA =
            patchAsync(ana, third, "0", "{\"status\":\"acknowledged\"}");
        int home = apiPort;
        apiPort = replica.port();
        CompletableFuture<HttpResponse<String>> onB =
            patchAsync(ana, third, "0", "{\"assignee\":\"carol\"}");
        apiPort = home;
        assertThat(List.of(onA.get().statusCode(), onB.get().statusCode()))
            .as(onA.get().body() + " / " + onB.get().body())
            .containsExactlyInAnyOrder(200, 409);
        HttpResponse<String> winner = onA.get().statusCode() == 200 ? onA.get() : onB.get();
        assertThat(json(winner.body()).get("version").asInt()).isEqualTo(1);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> get(ana, "/api/v1/alerts/" + third).get("state").get("version").asInt() == 1);

      // Bulk: close every open alert of one type in the window, and nothing else.
      String type = get(ana, "/api/v1/alerts/" + ids.get(2)).get("type").asText();
      Map<String, String> openBefore =
          statuses(get(ana, "/api/v1/alerts?tenant=acme&limit=1000" + window));
      List<String> matching =
          ids(
              get(
                  ana,
                  "/api/v1/alerts?tenant=acme&status=open&type=" + type + window + "&limit=1000"));
      assertThat(matching).isNotEmpty();
      HttpResponse<String> bulk =
          send(
              HttpRequest.newBuilder(
                      api("/api/v1/alerts/_update?tenant=acme&status=open&type=" + type + window))
                  .header("Authorization", "Bearer " + ana)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"status\":\"closed\",\"close_reason\":\"benign\",\"note\":\"known job\"}")));
      assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
      assertThat(json(bulk.body()).get("changed").asInt()).isEqualTo(matching.size());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  get(ana, "/api/v1/alerts?tenant=acme&status=open&type=" + type + window)
                          .get("total")
                          .asInt()
                      == 0);
      Map<String, String> after =
          statuses(get(ana, "/api/v1/alerts?tenant=acme&limit=1000" + window));
      for (Map.Entry<String, String> e : openBefore.entrySet()) {
        if (matching.contains(e.getKey().substring("acme/".length()))) {
          assertThat(after.get(e.getKey())).as(e.getKey()).startsWith("closed/benign/");
        } else {
          assertThat(after.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
      }
      before = statuses(get(admin, "/api/v1/alerts?limit=1000" + window));
      api.close();
      indexer.close();
    }

    // The indexer rebuilt from the topics alone: the same statuses.
    deleteTree(dir.resolve("data"));
    try (IndexerService indexer = IndexerService.start(IndexerConfig.from(settings));
        ApiServer api = ApiServer.start(ApiConfig.from(settings))) {
      apiPort = api.port();
      String w = window;
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                try {
                  return statuses(get(admin, "/api/v1/alerts?limit=1000" + w)).equals(before);
                } catch (AssertionError e) {
                  return false; // not ready yet
                }
              });
    }
  }

  /** alert id to status/close reason/assignee/version. */
  private static Map<String, String> statuses(JsonNode page) {
    Map<String, String> out = new TreeMap<>();
    page.get("alerts")
        .forEach(
            a -> {
              JsonNode st = a.get("state");
              out.put(
                  a.get("tenant").asText() + "/" + a.get("alert_id").asText(),
                  st.get("status").asText()
                      + "/"
                      + st.get("close_reason").asText("")
                      + "/"
                      + st.get("assignee").asText("")
                      + "/"
                      + st.get("version").asInt());
            });
    return out;
  }

  private static List<String> ids(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("alerts").forEach(a -> out.add(a.get("alert_id").asText()));
    return out;
  }

  private static long count(JsonNode facet, String value) {
    for (JsonNode c : facet) {
      if (value.equals(c.get("value").asText(null))) {
        return c.get("count").asLong();
      }
    }
    return 0;
  }

  private static void token(
      Map<String, String> s, String who, String token, String role, String tenants) {
    s.put("api.token." + who, TokenDigest.of(token));
    s.put("api.token." + who + ".role", role);
    s.put("api.token." + who + ".tenants", tenants);
  }

  private URI api(String path) {
    return URI.create("http://127.0.0.1:" + apiPort + path);
  }

  private JsonNode get(String token, String path) throws Exception {
    HttpResponse<String> r =
        send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + token).GET());
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return json(r.body());
  }

  private int status(String token, String path) throws Exception {
    return send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + token).GET())
        .statusCode();
  }

  private HttpResponse<String> patch(String token, String id, String version, String body)
      throws Exception {
    return patchAsync(token, id, version, body).get();
  }

  private CompletableFuture<HttpResponse<String>> patchAsync(
      String token, String id, String version, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(api("/api/v1/alerts/" + id))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method("PATCH", HttpRequest.BodyPublishers.ofString(body));
    if (version != null) {
      b.header("If-Match", "\"" + version + "\"");
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(String body) throws Exception {
    return EventCodec.mapper().readTree(body);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path root) throws Exception {
    try (var paths = java.nio.file.Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
