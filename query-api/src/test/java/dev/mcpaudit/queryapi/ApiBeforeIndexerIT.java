package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The api role started before the indexer, as {@code docker compose up} does: not ready and 503
 * with the reason until the indexer's first commit appears, then serving it without a restart.
 */
class ApiBeforeIndexerIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  @TempDir Path dir;

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void waitsForTheIndexersFirstCommitThenServesIt() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    String alerts = KafkaBrokerExtension.uniqueTopic("alerts");
    KAFKA.createTopics(2, decisions, decisions + ".dlq", alerts);
    String token = TokenDigest.newToken();
    ApiConfig apiConfig =
        ApiConfig.from(
            Settings.of(
                TestStamps.with(
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
                        "*"))));
    try (ApiServer api = ApiServer.start(apiConfig)) {
      HttpResponse<String> ready = get(api, "/health/ready", null);
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonNode body = EventCodec.mapper().readTree(ready.body());
      assertThat(body.get("status").asText()).isEqualTo("not_ready");
      assertThat(body.get("reason").asText())
          .contains("no commit in the events index at " + dir.resolve("index"));
      HttpResponse<String> search = get(api, "/api/v1/decisions?from=now-7d", token);
      assertThat(search.statusCode()).isEqualTo(503);
      assertThat(search.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(search.headers().firstValue("Retry-After")).isPresent();
      assertThat(search.body()).contains("no commit in the events index");
      assertThat(get(api, "/api/v1/alerts?from=now-7d", token).statusCode()).isEqualTo(503);
      assertThat(get(api, "/metrics", null).body())
          .contains("mcp_audit_api_index_open{index=\"events\"} 0");
      // Still refused without a token: not being ready never skips authorization.
      assertThat(get(api, "/api/v1/decisions", null).statusCode()).isEqualTo(401);

      SyntheticEvents gen = new SyntheticEvents(1818, Instant.now().minus(Duration.ofHours(2)));
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
              new StringSerializer(),
              new ByteArraySerializer())) {
        for (int i = 0; i < 300; i++) {
          AuthzEvent e = gen.next();
          producer.send(new ProducerRecord<>(decisions, e.partitionKey(), EventCodec.encode(e)));
        }
      }
      IndexerConfig indexerConfig =
          IndexerConfig.from(
              Settings.of(
                  TestStamps.with(
                      Map.of(
                          "kafka.bootstrap-servers",
                          KAFKA.bootstrapServers(),
                          "indexer.data-dir",
                          dir.toString(),
                          "indexer.port",
                          "0",
                          "indexer.commit-interval",
                          "300ms",
                          "indexer.group-id",
                          KafkaBrokerExtension.uniqueTopic("group"),
                          "topics.decisions",
                          decisions,
                          "topics.dead-letter",
                          decisions + ".dlq",
                          "topics.alerts",
                          alerts))));
      try (IndexerService indexer = IndexerService.start(indexerConfig)) {
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> get(api, "/health/ready", null).statusCode() == 200);
        await().atMost(Duration.ofSeconds(60)).until(() -> total(api, token) == 300);
        HttpResponse<String> alertsAnswer = get(api, "/api/v1/alerts?from=now-7d", token);
        assertThat(alertsAnswer.statusCode()).as(alertsAnswer.body()).isEqualTo(200);
        assertThat(get(api, "/metrics", null).body())
            .contains(
                "mcp_audit_api_index_open{index=\"events\"} 1",
                "mcp_audit_api_index_open{index=\"alerts\"} 1");
      }
    }
  }

  private long total(ApiServer api, String token) throws Exception {
    HttpResponse<String> r = get(api, "/api/v1/decisions?limit=1&from=now-7d", token);
    return r.statusCode() == 200
        ? EventCodec.mapper().readTree(r.body()).get("total").asLong()
        : -1;
  }

  private HttpResponse<String> get(ApiServer api, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
