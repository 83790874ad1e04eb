package dev.mcpaudit.app.writeonce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever can write to the decisions topic tries to rewrite history, against the real indexer and
 * API on a real broker: the first version of a record stays the record, identical redeliveries are
 * dropped and counted, every conflicting version is kept on the dead-letter topic and alerted on,
 * and the same event id in two tenants is two records.
 */
class WriteOnceIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  @TempDir static Path dir;

  static final String ACME = TokenDigest.newToken();
  static final String GLOBEX = TokenDigest.newToken();
  static final String ADMIN = TokenDigest.newToken();
  static final HttpClient http = HttpClient.newHttpClient();

  static String decisions;
  static String dlq;
  static KafkaProducer<String, byte[]> producer;
  static IndexerService indexer;
  static ApiServer api;

  @BeforeAll
  static void start() {
    decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    dlq = decisions + ".dlq";
    String alerts = KafkaBrokerExtension.uniqueTopic("alerts");
    KAFKA.createTopics(3, decisions, dlq, alerts);
    Map<String, String> s =
        new HashMap<>(
            Map.of(
                "kafka.bootstrap-servers",
                KAFKA.bootstrapServers(),
                "topics.decisions",
                decisions,
                "topics.dead-letter",
                dlq,
                "topics.alerts",
                alerts));
    s.putAll(
        Map.of(
            "indexer.port",
            "0",
            "indexer.data-dir",
            dir.toString(),
            "indexer.commit-interval",
            "300ms",
            "indexer.group-id",
            KafkaBrokerExtension.uniqueTopic("write-once"),
            "indexer.retention",
            "0s"));
    s.putAll(
        Map.of(
            "api.port",
            "0",
            "api.index-dir",
            dir.resolve("index").toString(),
            "api.audit",
            "false",
            "api.reopen-interval",
            "100ms",
            "api.token.acme",
            TokenDigest.of(ACME),
            "api.token.acme.role",
            "analyst",
            "api.token.acme.tenants",
            "acme",
            "api.token.globex",
            TokenDigest.of(GLOBEX),
            "api.token.globex.role",
            "analyst",
            "api.token.globex.tenants",
            "globex"));
    s.putAll(
        Map.of(
            "api.token.root",
            TokenDigest.of(ADMIN),
            "api.token.root.role",
            "admin",
            "api.token.root.tenants",
            "*"));
    Settings settings = Settings.of(TestStamps.with(s));
    indexer =
        IndexerService.embedded(
            IndexerConfig.from(settings), new SimpleMeterRegistry(), Clock.systemUTC());
    api = ApiServer.start(ApiConfig.from(settings));
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  @AfterAll
  static void stop() throws Exception {
    producer.close();
    api.close();
    indexer.close();
  }

  @Test
  void theFirstVersionIsTheRecordAndEveryConflictIsKeptAsEvidence() throws Exception {
    Instant at = Instant.now().minus(Duration.ofMinutes(5)).truncatedTo(ChronoUnit.MILLIS);
    String original = event("w1-deny", "acme", at, "deny", "POLICY_DENY", "w-1");
    RecordMetadata first = send("h-w1", original);
    long identicalBefore = indexer.metrics().identicalDuplicates();
    long conflictingBefore = indexer.metrics().conflictingDuplicates();
    send("h-w1", original);
    send("h-w1", original);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> indexer.metrics().identicalDuplicates() == identicalBefore + 2);

    ObjectNode flipped = tree(original);
    flipped.put("decision", "allow").put("reason_code", "ALLOWED");
    ObjectNode backdated = tree(original);
    backdated.put("occurred_at", "2001-01-01T00:00:00Z");
    send("h-w1", EventCodec.mapper().writeValueAsString(flipped));
    // Another partition: a rewrite need not come the same way as the record.
    send("someone-else", EventCodec.mapper().writeValueAsString(backdated));
    // Same content, other key order and whitespace: a redelivery, not a conflict.
    send(
        "h-w1",
        EventCodec.mapper()
            .writerWithDefaultPrettyPrinter()
            .writeValueAsString(reordered(tree(original))));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                indexer.metrics().conflictingDuplicates() == conflictingBefore + 2
                    && indexer.metrics().identicalDuplicates() == identicalBefore + 3);

    // Search, by id and export all answer the first version, byte for byte, once. The api reads the
    // indexer's commits, so wait for one that holds the record; every version was judged before it.
    String search = "/api/v1/decisions?from=2000-01-01T00:00:00Z&q=" + q("event_id:w1-deny");
    Map<String, Long> ends = TopicReader.endOffsets(KAFKA.bootstrapServers(), decisions);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Map<String, Long> committed =
                  dev.mcpaudit.indexer.store.EventIndex.committedOffsetsOrEmpty(
                      dir.resolve("index"));
              return ends.entrySet().stream()
                  .allMatch(
                      e ->
                          e.getValue() == 0
                              || committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> json(get(ADMIN, search)).get("total").asLong() > 0);
    assertThat(json(get(ADMIN, search)).get("total").asLong()).isEqualTo(1);
    JsonNode one = json(get(ADMIN, "/api/v1/decisions/w1-deny"));
    assertThat(one.at("/_meta/partition").asInt()).isEqualTo(first.partition());
    assertThat(one.at("/_meta/offset").asLong()).isEqualTo(first.offset());
    ((ObjectNode) one).remove("_meta");
    assertThat(EventCodec.mapper().writeValueAsString(one)).isEqualTo(original);
    HttpResponse<String> export =
        get(
            ADMIN,
            "/api/v1/export?format=ndjson&from=2000-01-01T00:00:00Z&q=" + q("event_id:w1-deny"));
    assertThat(export.statusCode()).isEqualTo(200);
    assertThat(export.body().lines().toList()).containsExactly(original);

    // The two real conflicts are on the dead-letter topic, naming the record they conflict with.
    List<ConsumerRecord<String, byte[]>> dead = deadLetters("w1-deny", 2);
    assertThat(dead)
        .hasSize(2)
        .allSatisfy(
            d -> {
              assertThat(header(d, Topics.HEADER_ERROR))
                  .startsWith("conflicting_duplicate: event_id w1-deny of tenant acme");
              assertThat(header(d, Topics.HEADER_STORED_PARTITION))
                  .isEqualTo(Integer.toString(first.partition()));
              assertThat(header(d, Topics.HEADER_STORED_OFFSET))
                  .isEqualTo(Long.toString(first.offset()));
            });
    assertThat(dead.stream().map(d -> header(d, Topics.HEADER_ERROR)).toList())
        .anySatisfy(e -> assertThat(e).contains("differs in /decision, /reason_code"))
        .anySatisfy(e -> assertThat(e).contains("differs in /occurred_at"));

    // One critical alert for the conflicting id, whatever the number of conflicting copies.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                json(get(
                            ADMIN,
                            "/api/v1/alerts?from=now-1h&type=CONFLICTING_DUPLICATE&event_id=w1-deny"))
                        .get("total")
                        .asLong()
                    >= 1);
    JsonNode alerts =
        json(get(ADMIN, "/api/v1/alerts?from=now-1h&type=CONFLICTING_DUPLICATE&event_id=w1-deny"));
    assertThat(alerts.get("alerts"))
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.get("severity").asText()).isEqualTo("critical");
              assertThat(a.get("tenant").asText()).isEqualTo("acme");
              assertThat(a.get("subject").asText()).isEqualTo("w1-deny");
              assertThat(a.get("summary").asText())
                  .contains("/decision", "gw-eu-1/w-1", "stays the record");
            });
    assertThat(
            json(get(ACME, "/api/v1/alerts?from=now-1h&type=CONFLICTING_DUPLICATE"))
                .get("total")
                .asLong())
        .isEqualTo(1);
    assertThat(
            json(get(GLOBEX, "/api/v1/alerts?from=now-1h&type=CONFLICTING_DUPLICATE"))
                .get("total")
                .asLong())
        .isZero();
  }

  @Test
  void theSameEventIdInTwoTenantsIsTwoRecords() throws Exception {
    Instant at = Instant.now().minus(Duration.ofMinutes(3)).truncatedTo(ChronoUnit.MILLIS);
    String acme = event("evt-1", "acme", at, "allow", "ALLOWED", "w-1");
    String globex = event("evt-1", "globex", at.plusSeconds(1), "deny", "POLICY_DENY", "w-2");
    long conflictingBefore = indexer.metrics().conflictingDuplicates();
    send("h-evt", acme);
    send("h-evt", globex);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                json(get(ADMIN, "/api/v1/decisions?from=now-1h&q=" + q("event_id:evt-1")))
                        .get("total")
                        .asLong()
                    == 2);
    assertThat(indexer.metrics().conflictingDuplicates()).isEqualTo(conflictingBefore);

    assertThat(json(get(ACME, "/api/v1/decisions/evt-1")).get("tenant").asText()).isEqualTo("acme");
    assertThat(json(get(GLOBEX, "/api/v1/decisions/evt-1")).get("tenant").asText())
        .isEqualTo("globex");
    assertThat(
            json(get(ACME, "/api/v1/decisions?from=now-1h&q=" + q("event_id:evt-1")))
                .get("total")
                .asLong())
        .isEqualTo(1);
    HttpResponse<String> both = get(ADMIN, "/api/v1/decisions/evt-1");
    assertThat(both.statusCode()).isEqualTo(409);
    assertThat(both.body()).contains("acme, globex");
    JsonNode picked = json(get(ADMIN, "/api/v1/decisions/evt-1?tenant=globex"));
    assertThat(picked.get("tenant").asText()).isEqualTo("globex");
    assertThat(picked.get("decision").asText()).isEqualTo("deny");
    assertThat(get(ACME, "/api/v1/decisions/evt-1?tenant=globex").statusCode()).isEqualTo(403);
  }

  static String event(
      String id, String tenant, Instant at, String decision, String code, String worker) {
    return """
        {"schema":"mcp.authz/v1","event_id":"%s","kind":"decision","occurred_at":"%s","tenant":"%s","decision":"%s",\
        "reason_code":"%s","handle":{"id":"h-%s"},"actor":{"id":"agent-7","type":"agent"},\
        "tool":{"server":"github","name":"merge_pr","method":"tools/call"},"source":{"gateway":"gw-eu-1","worker":"%s"}}"""
        .formatted(id, at, tenant, decision, code, id, worker);
  }

  static ObjectNode tree(String json) throws Exception {
    return (ObjectNode) EventCodec.mapper().readTree(json);
  }

  /** The same fields in reverse order. */
  static ObjectNode reordered(ObjectNode e) {
    ObjectNode out = EventCodec.mapper().createObjectNode();
    List<String> names = new java.util.ArrayList<>();
    e.fieldNames().forEachRemaining(names::add);
    java.util.Collections.reverse(names);
    names.forEach(n -> out.set(n, e.get(n)));
    return out;
  }

  static RecordMetadata send(String key, String json) throws Exception {
    return producer
        .send(new ProducerRecord<>(decisions, key, json.getBytes(StandardCharsets.UTF_8)))
        .get(30, TimeUnit.SECONDS);
  }

  static List<ConsumerRecord<String, byte[]>> deadLetters(String eventId, int atLeast) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<ConsumerRecord<String, byte[]>> found = List.of();
    while (found.size() < atLeast && System.nanoTime() < deadline) {
      found =
          TopicReader.readAll(KAFKA.bootstrapServers(), dlq, atLeast, Duration.ofSeconds(10))
              .stream()
              .filter(
                  r ->
                      new String(r.value(), StandardCharsets.UTF_8).contains("\"" + eventId + "\""))
              .toList();
    }
    return found;
  }

  static String header(ConsumerRecord<String, byte[]> r, String name) {
    return r.headers().lastHeader(name) == null
        ? null
        : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  static String q(String query) {
    return URLEncoder.encode(query, StandardCharsets.UTF_8);
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body());
  }

  static HttpResponse<String> get(String token, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
