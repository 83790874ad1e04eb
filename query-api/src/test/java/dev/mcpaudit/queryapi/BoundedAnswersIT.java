package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.alerts.AlertIndex;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile writer gives one handle 20,000 actors and tools: the handle's answer lists a bounded
 * number of each and counts them all, so its size does not grow with what was written.
 */
class BoundedAnswersIT {
  static final int ACTORS = 20_000;
  @TempDir Path dir;

  @Test
  void aHandleWithTwentyThousandActorsAndToolsAnswersACappedList() throws Exception {
    Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
    try (EventIndex index = EventIndex.open(dir.resolve("index"), 64)) {
      for (int i = 0; i < ACTORS; i++) {
        AuthzEvent e =
            AuthzEvent.builder()
                .eventId("ev-" + i)
                .kind(EventKind.DECISION)
                .occurredAt(t0.plusMillis(i))
                .tenant("acme")
                .decision(Decision.ALLOW)
                .reasonCode("ALLOWED")
                .handle(new Handle("h-flood", null, null, null, null, null, null))
                .actor(Actor.of("agent-" + i, ActorType.AGENT))
                .tool(new Tool("github", "tool_" + i, "tools/call", null))
                .source(new Source("gw-1", "w-1", null, null))
                .build();
        byte[] raw = EventCodec.encode(e);
        index.append(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      }
      index.commit(Map.of("t:0", (long) ACTORS));
    }
    AlertIndex.open(dir.resolve("alerts")).close();
    String token = TokenDigest.newToken();
    try (ApiServer api =
        ApiServer.start(
            ApiConfig.from(
                Settings.of(
                    Map.of(
                        "api.port",
                        "0",
                        "api.index-dir",
                        dir.resolve("index").toString(),
                        "api.audit",
                        "false",
                        "api.token.ann",
                        TokenDigest.of(token),
                        "api.token.ann.role",
                        "analyst",
                        "api.token.ann.tenants",
                        "acme"))))) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + api.port() + "/api/v1/handles/h-flood"))
                      .header("Authorization", "Bearer " + token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode h = EventCodec.mapper().readTree(r.body());
      assertThat(h.get("decisions").asLong()).isEqualTo(ACTORS);
      assertThat(h.get("actors")).hasSize(1000);
      assertThat(h.get("actor_count").asInt()).isEqualTo(ACTORS);
      assertThat(h.get("tools")).hasSize(1000);
      assertThat(h.get("tool_count").asInt()).isEqualTo(ACTORS);
      assertThat(h.get("events")).hasSize(1000);
      // 1,000 events of ~350 B and two lists of 1,000 names: well under what 20,000 of each would
      // take.
      assertThat(r.body().length()).isLessThan(1_000_000);
    }
  }
}
