package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule routes as an attacker meets them (README, "Alert rules"): who may do what, every field a
 * rule can get wrong refused with its own pointer and no 500, and a preview over the stored events
 * (run again on the OpenSearch test node) that judges exactly the events a search of the same query
 * finds, each alert's evidence of one group within one window.
 */
class RulesApiIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final String ROOT = TokenDigest.newToken();
  static final String ANA = TokenDigest.newToken(); // analyst of tenant-0
  static final String AUD = TokenDigest.newToken(); // auditor of every tenant
  @TempDir Path dir;

  private static final String VALID =
      "{\"name\":\"n\",\"tenant\":\"tenant-0\",\"query\":\"decision:deny\",\"group_by\":[\"actor.id\"],\"threshold\":2,\"window_seconds\":3600}";

  @Test
  void rulesAreForAdminsEveryFieldIsCheckedAndAPreviewJudgesWhatASearchFinds() throws Exception {
    Map<String, String> s = new HashMap<>(TestStamps.settings());
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.rules", KafkaBrokerExtension.uniqueTopic("api-rules"));
    token(s, "root", ROOT, "admin", "*");
    token(s, "ana", ANA, "analyst", "tenant-0");
    token(s, "aud", AUD, "auditor", "*");
    try (ServedIndex served = new ServedIndex(dir, 3000, 0, s)) {
      // Who may.
      assertThat(send(served, null, "GET", "/api/v1/rules", null).statusCode()).isEqualTo(401);
      assertThat(send(served, ANA, "GET", "/api/v1/rules", null).statusCode()).isEqualTo(403);
      assertThat(send(served, AUD, "PUT", "/api/v1/rules/r1", VALID).statusCode()).isEqualTo(403);
      assertThat(send(served, ANA, "DELETE", "/api/v1/rules/r1", null).statusCode()).isEqualTo(403);

      // Every field a rule can get wrong, each its own pointer; never a 500.
      Map<String, String> wrong = new java.util.LinkedHashMap<>();
      wrong.put("/id", "{\"name\":\"n\",\"tenant\":\"tenant-0\",\"query\":\"decision:deny\"}");
      wrong.put("/colour", VALID.replace("{", "{\"colour\":\"red\","));
      wrong.put("/query", VALID.replace("decision:deny", "decision:deny AND ("));
      wrong.put("/query ", VALID.replace("decision:deny", "tool.name:/.*/"));
      wrong.put("/query  ", VALID.replace("decision:deny", "x".repeat(5000)));
      wrong.put("/threshold", VALID.replace("\"threshold\":2", "\"threshold\":1000000000000"));
      wrong.put("/window_seconds", VALID.replace("3600", "0"));
      wrong.put(
          "/group_by",
          VALID.replace("[\"actor.id\"]", "[\"actor.id\",\"tool.name\",\"decision\",\"kind\"]"));
      wrong.put("/group_by/0", VALID.replace("[\"actor.id\"]", "[\"handle.scopes\"]"));
      wrong.put("/tenant", VALID.replace("tenant-0", "_system"));
      wrong.put("/tenant ", VALID.replace("\"tenant-0\"", "42"));
      wrong.put("/severity", VALID.replace("{", "{\"severity\":\"urgent\","));
      wrong.put("/owasp/0", VALID.replace("{", "{\"owasp\":[\"ASI11\"],"));
      wrong.put("/name", VALID.replace("\"n\"", "\"a\\u0000b\""));
      wrong.put("/deleted", VALID.replace("{", "{\"deleted\":true,"));
      for (Map.Entry<String, String> w : wrong.entrySet()) {
        String path = w.getKey().equals("/id") ? "/api/v1/rules/Bad%20Id" : "/api/v1/rules/r1";
        HttpResponse<String> r = send(served, ROOT, "PUT", path, w.getValue());
        assertThat(r.statusCode()).as(w.getKey() + " " + r.body()).isEqualTo(400);
        Set<String> pointers = new HashSet<>();
        EventCodec.mapper()
            .readTree(r.body())
            .get("errors")
            .forEach(e -> pointers.add(e.get("pointer").asText()));
        assertThat(pointers).as(r.body()).contains(w.getKey().strip());
      }
      assertThat(send(served, ROOT, "PUT", "/api/v1/rules/r1", "not json").statusCode())
          .isEqualTo(400);
      assertThat(send(served, ROOT, "PUT", "/api/v1/rules/r1", "[1]").statusCode()).isEqualTo(400);
      assertThat(
              send(
                      served,
                      ROOT,
                      "PUT",
                      "/api/v1/rules/r1",
                      "{\"name\":\"" + "x".repeat(20_000) + "\"}")
                  .statusCode())
          .isEqualTo(413);
      assertThat(send(served, ROOT, "GET", "/api/v1/rules", null).body()).contains("\"rules\":[]");

      // Saved, read, changed, deleted.
      HttpResponse<String> created = send(served, ROOT, "PUT", "/api/v1/rules/r1", VALID);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      HttpResponse<String> changed =
          send(
              served,
              ROOT,
              "PUT",
              "/api/v1/rules/r1",
              VALID.replace("\"threshold\":2", "\"threshold\":3"));
      assertThat(changed.statusCode()).isEqualTo(200);
      JsonNode one = ServedIndex.json(send(served, ROOT, "GET", "/api/v1/rules/r1", null));
      assertThat(one.get("version").asInt()).isEqualTo(2);
      assertThat(one.get("threshold").asInt()).isEqualTo(3);
      assertThat(one.get("updated_by").asText()).isEqualTo("root");
      assertThat(
              send(served, ROOT, "PUT", "/api/v1/rules/every", VALID.replace("tenant-0", "*"))
                  .statusCode())
          .isEqualTo(201);
      assertThat(ServedIndex.json(send(served, ROOT, "GET", "/api/v1/rules", null)).get("rules"))
          .extracting(r -> r.get("id").asText())
          .containsExactly("every", "r1");

      // A preview judges exactly what a search of its query finds.
      JsonNode preview =
          ServedIndex.json(
              send(
                  served,
                  ANA,
                  "POST",
                  "/api/v1/rules/_preview?from=now-2h",
                  "{\"rule_id\":\"r1\"}"));
      long denies =
          ServedIndex.json(
                  served.get(
                      ANA,
                      "/api/v1/decisions",
                      Map.of(
                          "q",
                          "decision:deny",
                          "tenant",
                          "tenant-0",
                          "from",
                          "now-2h",
                          "limit",
                          "1")))
              .get("total")
              .asLong();
      assertThat(denies).isPositive();
      assertThat(preview.get("events").asLong()).isEqualTo(denies);
      assertThat(preview.get("judged_all").asBoolean()).isTrue();
      assertThat(preview.get("rule").get("version").asInt()).isEqualTo(2);
      for (JsonNode a : preview.get("alerts")) {
        assertThat(a.get("tenant").asText()).isEqualTo("tenant-0");
        assertThat(a.get("events").asInt()).isGreaterThanOrEqualTo(3);
        for (JsonNode id : a.get("evidence")) {
          JsonNode e =
              ServedIndex.json(served.get(ANA, "/api/v1/decisions/" + id.asText(), Map.of()));
          assertThat(e.get("decision").asText()).isEqualTo("deny");
          assertThat(e.get("actor").get("id").asText()).isEqualTo(a.get("subject").asText());
        }
      }
      // Every match, no suppression to speak of: each judged event is raised or suppressed.
      JsonNode every =
          ServedIndex.json(
              send(
                  served,
                  ANA,
                  "POST",
                  "/api/v1/rules/_preview?from=now-2h",
                  "{\"rule\":{\"tenant\":\"tenant-0\",\"query\":\"decision:deny\",\"suppression_seconds\":1}}"));
      assertThat(every.get("raised").asLong() + every.get("suppressed").asLong()).isEqualTo(denies);

      // Hostile previews.
      Map<String, Integer> previews = new java.util.LinkedHashMap<>();
      previews.put("", 400);
      previews.put("{}", 400);
      previews.put("{\"rule_id\":\"r1\",\"builtin\":\"DENY_BURST\"}", 400);
      previews.put("{\"builtin\":\"REPLAY\",\"tenant\":\"tenant-0\",\"threshold\":2}", 400);
      previews.put("{\"builtin\":\"DENY_BURST\",\"tenant\":\"tenant-0\"}", 400);
      previews.put("{\"builtin\":\"DENY_BURST\",\"tenant\":\"tenant-1\",\"threshold\":2}", 403);
      previews.put("{\"rule_id\":\"nope\"}", 404);
      previews.put("{\"rule_id\":\"every\"}", 404); // every tenant: not an analyst of one
      previews.put("{\"rule\":{\"tenant\":\"tenant-0\",\"query\":\"tool.name:*x\"}}", 400);
      previews.put("{\"rule\":{\"tenant\":\"tenant-0\",\"query\":\"decision:deny\"},\"x\":1}", 400);
      for (Map.Entry<String, Integer> p : previews.entrySet()) {
        HttpResponse<String> r = send(served, ANA, "POST", "/api/v1/rules/_preview", p.getKey());
        assertThat(r.statusCode()).as(p.getKey() + " " + r.body()).isEqualTo(p.getValue());
      }
      assertThat(
              send(
                      served,
                      ANA,
                      "POST",
                      "/api/v1/rules/_preview?from=now&to=now-1h",
                      "{\"rule_id\":\"r1\"}")
                  .statusCode())
          .isEqualTo(400);
      assertThat(
              send(
                      served,
                      ANA,
                      "POST",
                      "/api/v1/rules/_preview?from=now-1h&to=9999-12-31T00:00:00Z",
                      "{\"rule_id\":\"r1\"}")
                  .statusCode())
          .isEqualTo(200);

      assertThat(send(served, ROOT, "DELETE", "/api/v1/rules/nope", null).statusCode())
          .isEqualTo(404);
      assertThat(send(served, ROOT, "DELETE", "/api/v1/rules/r1", null).statusCode())
          .isEqualTo(204);
      assertThat(send(served, ROOT, "GET", "/api/v1/rules/r1", null).statusCode()).isEqualTo(404);
      assertThat(ServedIndex.json(send(served, ROOT, "GET", "/api/v1/rules", null)).get("rules"))
          .extracting(r -> r.get("id").asText())
          .containsExactly("every");
      // A deleted rule's id can be used again, as a new rule.
      assertThat(send(served, ROOT, "PUT", "/api/v1/rules/r1", VALID).statusCode()).isEqualTo(201);
    }
  }

  private static HttpResponse<String> send(
      ServedIndex served, String token, String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        served
            .request(token, path, Map.of())
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return served.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void token(
      Map<String, String> s, String who, String token, String role, String tenants) {
    s.put("api.token." + who, TokenDigest.of(token));
    s.put("api.token." + who + ".role", role);
    s.put("api.token." + who + ".tenants", tenants);
  }
}
