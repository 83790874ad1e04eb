package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's audit of itself, read back from the decisions topic of a real broker: refusals before
 * authentication are a handful of counted events, not one each; an authenticated caller's decisions
 * stay one by one, with a principal the contract would refuse recorded in a safe form.
 */
class AuditTrailIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final String ALICE = TokenDigest.newToken();
  @TempDir Path dir;

  Map<String, String> settings(String topic, String window) {
    Map<String, String> s = new HashMap<>(Jwts.settings());
    s.putAll(
        Map.of(
            "api.audit",
            "true",
            "kafka.bootstrap-servers",
            KAFKA.bootstrapServers(),
            "topics.decisions",
            topic,
            "api.audit.refused-window",
            window,
            "api.token.alice",
            TokenDigest.of(ALICE),
            "api.token.alice.role",
            "analyst",
            "api.token.alice.tenants",
            "tenant-0"));
    return s;
  }

  @Test
  void aHundredAnonymousRequestsAreAHandfulOfEventsCountingAHundred() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("audit");
    KAFKA.createTopics(1, topic);
    String hostile =
        "evil\n2026-01-01 INFO forged line\u202E"
            + "x".repeat(1_500); // over 256, and the JWT under the 4096 a bearer token may have
    try (ServedIndex served = new ServedIndex(dir, 100, 0, settings(topic, "1m"))) {
      for (int i = 0; i < 100; i++) {
        assertThat(served.get(null, "/api/v1/decisions", Map.of()).statusCode()).isEqualTo(401);
      }
      for (int i = 0; i < 30; i++) {
        assertThat(served.get("forged-" + i, "/api/v1/access", Map.of("actor", "a")).statusCode())
            .isEqualTo(401);
      }
      assertThat(served.get(ALICE, "/api/v1/whoami", Map.of()).statusCode()).isEqualTo(200);
      assertThat(served.get(ALICE, "/api/v1/export", Map.of()).statusCode()).isEqualTo(403);
      String odd =
          Jwts.token(
              Jwts.IDP,
              Jwts.AUDIENCE,
              Instant.now().plus(Duration.ofMinutes(5)),
              "analyst",
              List.of("tenant-0"),
              hostile);
      HttpResponse<String> oddAnswer = served.get(odd, "/api/v1/whoami", Map.of());
      assertThat(oddAnswer.statusCode()).as(oddAnswer.body()).isEqualTo(200);
    } // closing the server publishes what is still counted

    List<JsonNode> trail =
        readUntil(
            topic,
            t ->
                sum(t, "CREDENTIAL_MISSING") >= 100
                    && sum(t, "CREDENTIAL_INVALID") >= 30
                    && t.stream()
                        .anyMatch(
                            e ->
                                e.at("/reason_code").asText().equals("ALLOWED")
                                    && e.at("/actor/id")
                                        .asText()
                                        .startsWith(Jwts.PRINCIPAL_PREFIX + "evil")));
    List<JsonNode> missing = byCode(trail, "CREDENTIAL_MISSING");
    assertThat(missing).hasSizeBetween(1, 2); // two only if the burst crossed a minute boundary
    assertThat(sum(trail, "CREDENTIAL_MISSING")).isEqualTo(100);
    assertThat(missing)
        .allSatisfy(
            e -> {
              assertThat(e.at("/tenant").asText()).isEqualTo("_system");
              assertThat(e.at("/decision").asText()).isEqualTo("deny");
              assertThat(e.at("/actor/id").asText()).isEqualTo("anonymous");
              assertThat(e.at("/tool/name").asText()).isEqualTo("api.decisions.search");
              assertThat(e.at("/attributes/source_address").asText())
                  .isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
              assertThat(e.at("/reason").asText()).contains("requests refused from");
            });
    assertThat(byCode(trail, "CREDENTIAL_INVALID")).hasSizeBetween(1, 2);
    assertThat(sum(trail, "CREDENTIAL_INVALID")).isEqualTo(30);
    assertThat(trail.toString()).doesNotContain("forged-");

    // Authenticated decisions stay one event each.
    assertThat(trail).filteredOn(e -> e.at("/actor/id").asText().equals("alice")).hasSize(2);
    JsonNode odd =
        trail.stream()
            .filter(e -> e.at("/actor/id").asText().startsWith(Jwts.PRINCIPAL_PREFIX + "evil"))
            .findFirst()
            .orElseThrow();
    String recorded = odd.at("/actor/id").asText();
    // An OIDC subject is recorded under its issuer: never mistaken for a static token's name.
    assertThat(recorded)
        .startsWith(Jwts.PRINCIPAL_PREFIX + "evil\\u000a2026-01-01")
        .doesNotContain("\n", "\u202E", " ")
        .endsWith("~sha256:" + sha256(Jwts.PRINCIPAL_PREFIX + hostile).substring(0, 16));
    assertThat(recorded.codePointCount(0, recorded.length())).isLessThanOrEqualTo(256);
    EventValidator validator = EventValidator.withSystemClock();
    assertThat(trail).allSatisfy(e -> assertThat(validator.validate(e, -1)).isEmpty());
  }

  @Test
  void countsArePublishedWhenTheirWindowEndsWithoutWaitingForShutdown() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("audit-window");
    KAFKA.createTopics(1, topic);
    try (ServedIndex served = new ServedIndex(dir, 10, 0, settings(topic, "1s"))) {
      for (int i = 0; i < 25; i++) {
        assertThat(served.get(null, "/api/v1/stats/top", Map.of("field", "tenant")).statusCode())
            .isEqualTo(401);
      }
      List<JsonNode> trail = readUntil(topic, t -> sum(t, "CREDENTIAL_MISSING") >= 25);
      assertThat(sum(trail, "CREDENTIAL_MISSING")).isEqualTo(25);
      assertThat(byCode(trail, "CREDENTIAL_MISSING")).hasSizeLessThanOrEqualTo(5);
    }
  }

  static List<JsonNode> byCode(List<JsonNode> trail, String code) {
    return trail.stream().filter(e -> e.at("/reason_code").asText().equals(code)).toList();
  }

  static long sum(List<JsonNode> trail, String code) {
    return byCode(trail, code).stream()
        .mapToLong(e -> Long.parseLong(e.at("/attributes/count").asText()))
        .sum();
  }

  /** Every event on the topic, polled until {@code done} holds (or 30 s). */
  static List<JsonNode> readUntil(String topic, java.util.function.Predicate<List<JsonNode>> done) {
    List<JsonNode> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "read-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                  out.add(
                      EventCodec.mapper().readTree(new String(r.value(), StandardCharsets.UTF_8)));
                }
                return done.test(out);
              });
    }
    return out;
  }

  static String sha256(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
