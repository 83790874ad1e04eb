package dev.mcpaudit.queryapi;

import static dev.mcpaudit.queryapi.ServedIndex.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.schema.event.EventCodec;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's audit trail (tenant _system) is readable by admins only, however a token's tenant list
 * is configured: a static token or an OIDC token naming _system reads none of it, through any
 * endpoint; an admin still does.
 */
class SystemTenantIT {
  static final int SYSTEM = 40;
  static final String EVE = TokenDigest.newToken(); // analyst, tenants tenant-0,_system
  static final String AUDREY = TokenDigest.newToken(); // auditor, tenants *,_system
  static final String ROOT = TokenDigest.newToken(); // admin, every tenant
  @TempDir static Path dir;
  static ServedIndex served;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> s = new HashMap<>(Jwts.settings());
    s.putAll(
        Map.of(
            "api.token.eve",
            TokenDigest.of(EVE),
            "api.token.eve.role",
            "analyst",
            "api.token.eve.tenants",
            "tenant-0,_system",
            "api.token.audrey",
            TokenDigest.of(AUDREY),
            "api.token.audrey.role",
            "auditor",
            "api.token.audrey.tenants",
            "*,_system",
            "api.token.root",
            TokenDigest.of(ROOT),
            "api.token.root.role",
            "admin",
            "api.token.root.tenants",
            "*"));
    served = new ServedIndex(dir, 3_000, SYSTEM, s);
  }

  @AfterAll
  static void stop() throws Exception {
    served.close();
  }

  static final Map<String, String> HOUR = Map.of("from", "now-2h", "limit", "1000");

  static Map<String, String> with(String... kv) {
    Map<String, String> m = new HashMap<>(HOUR);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void staticAndOidcTokensNamingSystemReadNoneOfItThroughAnyEndpoint() throws Exception {
    List<String> nonAdmins =
        List.of(
            EVE,
            AUDREY,
            Jwts.valid("analyst", List.of("tenant-0", "_system")),
            Jwts.valid("auditor", List.of("*", "_system")),
            // An admin scoped to some tenants: the trail records every tenant's callers.
            Jwts.valid("admin", List.of("tenant-0", "_system")));
    for (String token : nonAdmins) {
      assertThat(
              json(served.get(token, "/api/v1/decisions", with("q", "tenant:_system")))
                  .get("total")
                  .asLong())
          .isZero();
      assertThat(
              json(served.get(token, "/api/v1/decisions", with("q", "tool.server:mcp-audit")))
                  .get("total")
                  .asLong())
          .isZero();
      JsonNode all = json(served.get(token, "/api/v1/decisions", HOUR));
      assertThat(all.get("total").asLong()).isPositive();
      all.get("events").forEach(e -> assertThat(e.get("tenant").asText()).isNotEqualTo("_system"));
      HttpResponse<String> asked =
          served.get(token, "/api/v1/decisions", with("tenant", "_system"));
      assertThat(asked.statusCode()).as(asked.body()).isEqualTo(403);
      assertThat(served.get(token, "/api/v1/decisions/api-fixture-0", Map.of()).statusCode())
          .isEqualTo(404);
      JsonNode top =
          json(served.get(token, "/api/v1/stats/top", with("field", "tenant", "size", "100")));
      assertThat(top.toString()).doesNotContain("_system");
      JsonNode byActor =
          json(served.get(token, "/api/v1/access", with("actor", ServedIndex.SYSTEM_ACTOR)));
      assertThat(byActor.toString()).doesNotContain("api.decisions.search");
      JsonNode who = json(served.get(token, "/api/v1/whoami", Map.of()));
      assertThat(who.get("tenants").toString()).doesNotContain("_system");
    }
    // The auditors may export: every row is outside _system.
    for (String auditor : List.of(AUDREY, Jwts.valid("auditor", List.of("*", "_system")))) {
      HttpResponse<String> export = served.get(auditor, "/api/v1/export", with("format", "ndjson"));
      assertThat(export.statusCode()).isEqualTo(200);
      List<String> lines = export.body().lines().toList();
      assertThat(lines).hasSize(served.events.size() - SYSTEM);
      for (String line : lines) {
        assertThat(EventCodec.mapper().readTree(line).get("tenant").asText())
            .isNotEqualTo("_system");
      }
    }
  }

  @Test
  void anOidcTokenNamingOnlySystemIsRefused() throws Exception {
    HttpResponse<String> r =
        served.get(Jwts.valid("analyst", List.of("_system")), "/api/v1/decisions", HOUR);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("no tenant it may read");
  }

  @Test
  void anAdminOverEveryTenantReadsTheTrail() throws Exception {
    for (String admin : List.of(ROOT, Jwts.valid("admin", List.of("*")))) {
      JsonNode trail = json(served.get(admin, "/api/v1/decisions", with("tenant", "_system")));
      assertThat(trail.get("total").asLong()).isEqualTo(SYSTEM);
      trail.get("events").forEach(e -> assertThat(e.get("tenant").asText()).isEqualTo("_system"));
      assertThat(
              json(served.get(admin, "/api/v1/decisions", with("q", "tenant:_system")))
                  .get("total")
                  .asLong())
          .isEqualTo(SYSTEM);
    }
  }
}
