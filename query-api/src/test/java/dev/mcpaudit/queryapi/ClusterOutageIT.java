package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.queryapi.store.cluster.ClusterFixture;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api on OpenSearch when the cluster cannot answer: a red cluster (a decisions index whose
 * shard has nowhere to go) and then a node that is gone. Either way {@code /health/ready} says not
 * ready and why, every search is a 503 with Retry-After well inside the request's time limit (no
 * request hangs), authorization still comes first, and the api serves again, without a restart,
 * once the cluster is back. A node of its own, since it is made red and stopped.
 */
class ClusterOutageIT {
  static final String TOKEN = TokenDigest.newToken();
  static final int EVENTS = 500;
  static final List<String> DECISION_PATHS =
      List.of(
          "/api/v1/decisions?from=now-7d",
          "/api/v1/stats/top?from=now-7d&field=tool.name",
          "/api/v1/stats/histogram?from=now-7d",
          "/api/v1/access?actor=a&from=now-7d",
          "/api/v1/handles/h-1",
          "/api/v1/export?from=now-7d&format=ndjson");

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void redOrGoneIsNotReadyAnd503ThenServesAgain() throws Exception {
    Path home = dir.resolve("node");
    OpenSearchNode node = OpenSearchNode.start(home);
    int port = node.httpPort();
    String prefix = ClusterFixture.prefix("outage");
    List<AuthzEvent> events = new ArrayList<>();
    SyntheticEvents gen = new SyntheticEvents(31, Instant.now().minus(Duration.ofHours(1)));
    for (int i = 0; i < EVENTS; i++) {
      events.add(gen.next());
    }
    Map<String, String> s = new HashMap<>();
    try (Cluster cluster = Cluster.connect(ClusterFixture.settings(node.url(), prefix))) {
      ClusterFixture.write(cluster, events, List.of());
      s.putAll(TestBackend.settings(prefix));
      s.put("opensearch.hosts", node.url());
      s.putAll(
          Map.of(
              "api.port", "0",
              "api.audit", "false",
              "api.query-timeout", "3s",
              "api.token.ops", TokenDigest.of(TOKEN),
              "api.token.ops.role", "auditor",
              "api.token.ops.tenants", "*"));
      try (ApiServer api = ApiServer.start(ApiConfig.from(Settings.of(s)))) {
        await().atMost(Duration.ofSeconds(30)).until(() -> ready(api).statusCode() == 200);
        assertThat(total(api)).isEqualTo(EVENTS);

        // Red: a decisions index whose primary may live on no node there is.
        IndexNames names = cluster.names();
        String stuck = names.decisionsIndex(Instant.parse("2099-01-01T00:00:00Z"));
        ObjectNode body = EventCodec.mapper().createObjectNode();
        body.putObject("settings")
            .put("index.number_of_replicas", 0)
            .put("index.routing.allocation.require._name", "no-such-node");
        cluster.call("PUT", "/" + stuck + "?wait_for_active_shards=0", body);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertNotReady(api, "red"));
        // The events' questions cannot be answered whole; the alerts live in other indices.
        assertUnavailable(api, DECISION_PATHS);
        cluster.call("DELETE", "/" + stuck, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> ready(api).statusCode() == 200);
        assertThat(total(api)).isEqualTo(EVENTS);

        // Gone.
        node.close();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(() -> assertNotReady(api, "cannot be reached"));
        List<String> all = new ArrayList<>(DECISION_PATHS);
        all.add("/api/v1/alerts?from=now-7d");
        assertUnavailable(api, all);

        node = OpenSearchNode.start(home, List.of(), port);
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(api).statusCode() == 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> search(api).statusCode() == 200);
        assertThat(total(api)).isEqualTo(EVENTS);
      }
    } finally {
      node.close();
    }
  }

  private void assertNotReady(ApiServer api, String why) throws Exception {
    HttpResponse<String> r = ready(api);
    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode body = EventCodec.mapper().readTree(r.body());
    assertThat(body.get("status").asText()).isEqualTo("not_ready");
    assertThat(body.get("reason").asText()).contains(why);
  }

  /**
   * Each of {@code paths} answers 503 with Retry-After, in well under the client's patience;
   * without a token still 401.
   */
  private void assertUnavailable(ApiServer api, List<String> paths) throws Exception {
    for (String path : paths) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = get(api, path, TOKEN);
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(r.statusCode())
          .as(path + " " + r.body().substring(0, Math.min(300, r.body().length())))
          .isEqualTo(503);
      assertThat(r.headers().firstValue("Retry-After")).as(path).isPresent();
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(seconds).as(path + " answered in time").isLessThan(20);
    }
    assertThat(get(api, "/api/v1/decisions", null).statusCode()).isEqualTo(401);
  }

  private long total(ApiServer api) throws Exception {
    HttpResponse<String> r = search(api);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body()).get("total").asLong();
  }

  private HttpResponse<String> search(ApiServer api) throws Exception {
    return get(api, "/api/v1/decisions?from=now-7d&limit=1", TOKEN);
  }

  private HttpResponse<String> ready(ApiServer api) throws Exception {
    return get(api, "/health/ready", null);
  }

  private HttpResponse<String> get(ApiServer api, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
