package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api role alone over a committed index directory: it sees each new commit without a restart.
 */
class ApiServerIT {
  @TempDir Path dir;

  @Test
  void servesACommittedIndexAndPicksUpNewCommits() throws Exception {
    String token = TokenDigest.newToken();
    SyntheticEvents gen = new SyntheticEvents(77, Instant.now().minus(Duration.ofHours(1)));
    try (EventIndex index = EventIndex.open(dir.resolve("index"), 16)) {
      put(index, gen, 100);
      index.commit(Map.of("t:0", 100L));
      ApiConfig cfg =
          ApiConfig.from(
              Settings.of(
                  Map.of(
                      "api.port",
                      "0",
                      "api.index-dir",
                      dir.resolve("index").toString(),
                      "api.reopen-interval",
                      "100ms",
                      "api.audit",
                      "false",
                      "api.token.ops",
                      TokenDigest.of(token),
                      "api.token.ops.role",
                      "analyst",
                      "api.token.ops.tenants",
                      "*")));
      try (ApiServer api = ApiServer.start(cfg)) {
        assertThat(total(api, token)).isEqualTo(100);
        put(index, gen, 50);
        index.commit(Map.of("t:0", 150L));
        await().atMost(Duration.ofSeconds(10)).until(() -> total(api, token) == 150);
        HttpResponse<String> noToken =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + api.port() + "/api/v1/decisions"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(
                HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + api.port() + "/health/live"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode())
            .isEqualTo(200);
      }
    }
  }

  static long total(ApiServer api, String token) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + api.port()
                                + "/api/v1/decisions?limit=1&from=now-7d"))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode page = EventCodec.mapper().readTree(r.body());
    return page.get("total").asLong();
  }

  static void put(EventIndex index, SyntheticEvents gen, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      AuthzEvent e = gen.next();
      byte[] raw = EventCodec.encode(e);
      index.append(
          IndexSchema.document(
              EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
    }
  }
}
