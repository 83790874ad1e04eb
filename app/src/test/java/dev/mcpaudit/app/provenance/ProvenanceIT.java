package dev.mcpaudit.app.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKey;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.publisher.DecisionPublisher;
import dev.mcpaudit.publisher.Receipt;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone with produce rights on the topics, against the real collector, indexer, detector (with
 * its webhook sink) and API on a real broker (docs/provenance.md): every stored event says how it
 * arrived, forged collector claims and a forged stamp prove nothing, tenant {@code _system} and
 * alerts are taken only from mcp-audit's own roles, and a second key configured beside the first
 * (rotation) loses nothing.
 */
class ProvenanceIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  @TempDir static Path dir;

  static final String SOURCE = TokenDigest.newToken();
  static final String ADMIN = TokenDigest.newToken();
  static final HttpClient http = HttpClient.newHttpClient();

  /** The gateway's own publisher key, and the roles key the writers move to when rotating. */
  static final StampKey GATEWAY = StampKey.generate("gw-pub-1", StampKey.Scope.PUBLISHER);

  static final StampKey NEXT = StampKey.generate("roles-next", StampKey.Scope.ROLES);

  static String decisions;
  static String dlq;
  static String alerts;
  static CollectorServer collector;
  static IndexerService indexer;
  static DetectorService detector;
  static ApiServer api;
  static HttpServer receiver;
  static final Set<String> delivered = ConcurrentHashMap.newKeySet();
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void start() throws Exception {
    decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    dlq = decisions + ".dlq";
    alerts = KafkaBrokerExtension.uniqueTopic("alerts");
    KAFKA.createTopics(2, decisions, dlq, alerts);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          delivered.add(exchange.getRequestHeaders().getFirst("X-McpAudit-Alert-Id"));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();

    Map<String, String> s = new HashMap<>(TestStamps.settings());
    s.put("stamp.keys." + GATEWAY.id(), keyFile(GATEWAY).toString());
    s.put("stamp.keys." + NEXT.id(), keyFile(NEXT).toString());
    s.put("stamp.signing-key", TestStamps.KEY_ID);
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.decisions", decisions);
    s.put("topics.dead-letter", dlq);
    s.put("topics.alerts", alerts);
    s.put("collector.port", "0");
    s.put("collector.token.acme-gw", TokenDigest.of(SOURCE));
    s.put("collector.token.acme-gw.tenants", "acme");
    s.put("indexer.data-dir", dir.toString());
    s.put("indexer.commit-interval", "300ms");
    s.put("indexer.group-id", KafkaBrokerExtension.uniqueTopic("provenance-indexer"));
    s.put("detector.application-id", KafkaBrokerExtension.uniqueTopic("provenance-detector"));
    s.put("detector.state-dir", dir.resolve("detector").toString());
    s.put("detector.webhook.urls", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    s.put("detector.webhook.initial-backoff", "100ms");
    s.put("api.port", "0");
    s.put("api.index-dir", dir.resolve("index").toString());
    s.put("api.alerts-dir", dir.resolve("alerts").toString());
    s.put("api.audit-spool-dir", dir.resolve("api-audit").toString());
    s.put("api.reopen-interval", "100ms");
    s.put("api.token.root", TokenDigest.of(ADMIN));
    s.put("api.token.root.role", "admin");
    s.put("api.token.root.tenants", "*");
    Settings settings = Settings.of(s);
    collector = CollectorServer.start(CollectorConfig.from(settings));
    indexer = IndexerService.embedded(IndexerConfig.from(settings), registry, Clock.systemUTC());
    detector = DetectorService.embedded(DetectorConfig.from(settings), registry);
    api = ApiServer.start(ApiConfig.from(settings));
    await().atMost(Duration.ofMinutes(2)).until(() -> detector.health().ready());
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {api, detector, indexer, collector}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // the next one still closes
      }
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void everyStoredEventSaysHowItArrivedAndForgedClaimsProveNothing() throws Exception {
    String actor = "spiffe://acme.example/agent/prov-" + UUID.randomUUID();
    String forged = id();
    String viaCollector = id();
    String viaPublisher = id();

    // Straight to Kafka, claiming the collector's stamps and carrying a stamp it made up.
    byte[] value =
        event(forged, actor, "\"authenticated\":\"acme-gw\",")
            .replace("\"tenant\"", "\"received_at\":\"2026-01-01T00:00:00Z\",\"tenant\"")
            .getBytes(StandardCharsets.UTF_8);
    ProducerRecord<String, byte[]> raw = new ProducerRecord<>(decisions, "h-" + forged, value);
    raw.headers()
        .add(Stamps.HEADER, "v1 collector test-roles AAAAAAAAAAAAAAAA".getBytes())
        .add(new Stamps(List.of(), GATEWAY).sign(StampKind.PUBLISHER, "other bytes".getBytes()));
    produce(raw);

    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + collector.port() + "/v1/decisions"))
                .header("Authorization", "Bearer " + SOURCE)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(event(viaCollector, actor, "")))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

    try (DecisionPublisher publisher =
        DecisionPublisher.builder()
            .kafka(KafkaClients.plain(KAFKA.bootstrapServers()))
            .topic(decisions)
            .spoolDirectory(Files.createTempDirectory(dir, "spool"))
            .stampKey(GATEWAY)
            .build()) {
      Receipt receipt =
          publisher
              .publish(event(viaPublisher, actor, "").getBytes(StandardCharsets.UTF_8))
              .get(60, TimeUnit.SECONDS);
      assertThat(receipt.delivery()).isEqualTo(Receipt.Delivery.ACKNOWLEDGED);
    }

    String byActor = "actor.id:\"" + actor + "\"";
    await().atMost(Duration.ofSeconds(60)).until(() -> total(byActor) == 3);

    JsonNode f = decision(forged);
    assertThat(f.at("/_meta/provenance/kind").asText()).isEqualTo("kafka");
    assertThat(f.at("/_meta/provenance").has("by")).isFalse();
    assertThat(f.at("/source").has("authenticated")).as("the claimed stamp is gone").isFalse();
    assertThat(f.at("/source/gateway").asText()).isEqualTo("gw-eu-1");
    assertThat(f.has("received_at")).isFalse();
    assertThat(f.at("/_meta/received_at").isNull()).isTrue();

    JsonNode c = decision(viaCollector);
    assertThat(c.at("/_meta/provenance/kind").asText()).isEqualTo("collector");
    assertThat(c.at("/_meta/provenance/by").asText()).isEqualTo("acme-gw");
    assertThat(c.at("/source/authenticated").asText()).isEqualTo("acme-gw");
    assertThat(c.hasNonNull("received_at")).isTrue();

    JsonNode p = decision(viaPublisher);
    assertThat(p.at("/_meta/provenance/kind").asText()).isEqualTo("publisher");
    assertThat(p.at("/_meta/provenance/by").asText()).isEqualTo("gw-pub-1");

    // Searchable: provenance:kafka finds exactly the forged one; nothing claims it was
    // authenticated.
    HttpResponse<String> kafkaOnes = get(search("provenance:kafka AND " + byActor));
    JsonNode page = EventCodec.mapper().readTree(kafkaOnes.body());
    assertThat(page.get("total").asLong()).isEqualTo(1);
    assertThat(page.at("/events/0/event_id").asText()).isEqualTo(forged);
    assertThat(total("source.authenticated:acme-gw AND " + byActor)).isEqualTo(1);
    assertThat(total("provenance:collector AND provenance.by:acme-gw AND " + byActor)).isEqualTo(1);

    // The CSV export names each event's provenance.
    HttpResponse<String> csv =
        get(
            "/api/v1/export?format=csv&from=now-1h&q="
                + URLEncoder.encode(byActor, StandardCharsets.UTF_8));
    assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
    List<String> rows = csv.body().lines().toList();
    List<String> header = List.of(rows.get(0).split(","));
    int prov = header.indexOf("provenance");
    int by = header.indexOf("provenance_by");
    Map<String, String> csvProvenance = new HashMap<>();
    for (String row : rows.subList(1, rows.size())) {
      String[] cells = row.split(",", -1);
      csvProvenance.put(cells[0], cells[prov] + "/" + cells[by]);
    }
    assertThat(csvProvenance)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                forged, "kafka/",
                viaCollector, "collector/acme-gw",
                viaPublisher, "publisher/gw-pub-1"));

    // OCSF: the forged one names no authenticated provider, and every line has its src_endpoint.
    HttpResponse<String> ocsf =
        get(
            "/api/v1/export?format=ocsf&from=now-1h&q="
                + URLEncoder.encode(byActor, StandardCharsets.UTF_8));
    assertThat(ocsf.statusCode()).as(ocsf.body()).isEqualTo(200);
    for (String line : ocsf.body().lines().toList()) {
      JsonNode o = EventCodec.mapper().readTree(line);
      assertThat(o.at("/src_endpoint/name").asText()).isNotEmpty();
      String uid = o.at("/metadata/uid").asText();
      assertThat(o.at("/unmapped/provenance").asText())
          .isEqualTo(
              uid.equals(forged) ? "kafka" : uid.equals(viaCollector) ? "collector" : "publisher");
      if (uid.equals(forged)) {
        assertThat(o.at("/metadata").has("log_provider")).isFalse();
      }
    }
  }

  @Test
  void theSystemTrailIsTakenOnlyFromTheApi() throws Exception {
    String system = id();
    produce(
        new ProducerRecord<>(
            decisions,
            "h-" + system,
            event(system, "spiffe://x/agent/y", "")
                .replace("\"tenant\":\"acme\"", "\"tenant\":\"_system\"")
                .getBytes(StandardCharsets.UTF_8)));

    Map<String, String> dead = deadLetters(system);
    assertThat(dead.get(system)).contains("tenant _system is written only by mcp-audit's API");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> indexerMetric("mcp_audit_indexer_unproven_refused", "system") >= 1);
    // The API's own audit events (of these very searches) are indexed, as provenance api.
    await().atMost(Duration.ofSeconds(60)).until(() -> total("tenant=_system", "") > 0);
    HttpResponse<String> own = get("/api/v1/decisions?from=now-1h&tenant=_system&limit=1");
    String ownId = EventCodec.mapper().readTree(own.body()).at("/events/0/event_id").asText();
    assertThat(get("/api/v1/decisions/" + ownId + "?tenant=_system").body())
        .contains("\"provenance\":{\"kind\":\"api\",\"by\":\"" + TestStamps.KEY_ID + "\"}");
    assertThat(total("tenant=_system", "&q=event_id:" + system)).isZero();
  }

  @Test
  void onlyStampedAlertsAreIndexedOrDeliveredAndASecondKeyLosesNothing() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    Alert unstamped = alert("forged-" + suffix);
    Alert wrongKind = alert("wrongkind-" + suffix);
    Alert rotated = alert("rotated-" + suffix);
    produce(new ProducerRecord<>(alerts, unstamped.subject(), json(unstamped)));
    ProducerRecord<String, byte[]> asCollector =
        new ProducerRecord<>(alerts, wrongKind.subject(), json(wrongKind));
    asCollector.headers().add(TestStamps.header(StampKind.COLLECTOR, asCollector.value()));
    produce(asCollector);
    // A writer already moved to the next key while the readers accept both.
    ProducerRecord<String, byte[]> next =
        new ProducerRecord<>(alerts, rotated.subject(), json(rotated));
    next.headers().add(new Stamps(List.of(), NEXT).sign(StampKind.DETECTOR, next.value()));
    produce(next);

    // And the detector's own alert, raised from a replay through the collector.
    String nonce = "n-prov-" + suffix;
    String first = id();
    String second = id();
    String actor = "spiffe://acme.example/agent/replayer-" + suffix;
    for (String e : List.of(first, second)) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + collector.port() + "/v1/decisions"))
                  .header("Authorization", "Bearer " + SOURCE)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          event(e, actor, "")
                              .replace(
                                  "\"tool\"",
                                  "\"request\":{\"nonce\":\"" + nonce + "\"},\"tool\"")))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> alertSubjects().containsAll(List.of(nonce, rotated.subject())));
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> delivered.contains(rotated.alertId()) && delivered.size() >= 2);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> indexerMetric("mcp_audit_indexer_unproven_refused", "alert") >= 2);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> detectorMetric("mcp_audit_webhook_unproven_refused") >= 2);
    assertThat(alertSubjects()).doesNotContain(unstamped.subject(), wrongKind.subject());
    assertThat(delivered).doesNotContain(unstamped.alertId(), wrongKind.alertId());
    Map<String, String> dead = deadLetters(unstamped.alertId(), wrongKind.alertId());
    assertThat(dead.values())
        .allSatisfy(e -> assertThat(e).contains("no valid detector or indexer stamp"));
  }

  private static Alert alert(String id) {
    return new Alert(
        id,
        AlertType.REPLAY,
        Severity.HIGH,
        "acme",
        Instant.now(),
        "subject-" + id,
        "spiffe://acme.example/agent/a",
        null,
        null,
        List.of("ev-1", "ev-2"),
        "forged or not");
  }

  private static byte[] json(Alert a) throws Exception {
    return EventCodec.mapper().writeValueAsBytes(a);
  }

  private static Set<String> alertSubjects() throws Exception {
    HttpResponse<String> r = get("/api/v1/alerts?from=now-1h&limit=1000");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Set<String> out = new java.util.HashSet<>();
    for (JsonNode a : EventCodec.mapper().readTree(r.body()).get("alerts")) {
      out.add(a.get("subject").asText());
    }
    return out;
  }

  static Path keyFile(StampKey key) throws Exception {
    Path f = dir.resolve(key.id() + ".key");
    Files.writeString(f, key.encode());
    return f;
  }

  static void produce(ProducerRecord<String, byte[]> r) throws Exception {
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      p.send(r).get(30, TimeUnit.SECONDS);
    }
  }

  static String id() {
    return "prov_" + UUID.randomUUID().toString().replace("-", "");
  }

  /** A decision of tenant acme at gateway gw-eu-1; {@code extraSource} goes inside source. */
  static String event(String id, String actor, String extraSource) {
    Instant at = Instant.now().minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS);
    return """
        {"schema":"mcp.authz/v1","event_id":"%s","kind":"decision","occurred_at":"%s",\
        "tenant":"acme","decision":"allow","reason_code":"ALLOWED",\
        "actor":{"id":"%s","type":"agent"},\
        "tool":{"server":"github","name":"list_issues","method":"tools/call"},\
        "source":{%s"gateway":"gw-eu-1","worker":"w-1"}}"""
        .formatted(id, at, actor, extraSource);
  }

  static JsonNode decision(String id) throws Exception {
    HttpResponse<String> r = get("/api/v1/decisions/" + id + "?tenant=acme");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body());
  }

  /** Dead-letter error headers by the id found in their value. */
  static Map<String, String> deadLetters(String... ids) {
    Map<String, String> out = TopicReader.deadLetterErrors(KAFKA.bootstrapServers(), dlq, ids);
    assertThat(out).as("dead letters").containsOnlyKeys(ids);
    return out;
  }

  static String search(String q) {
    return "/api/v1/decisions?from=now-1h&q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
  }

  static long total(String q) throws Exception {
    HttpResponse<String> r = get(search(q));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body()).get("total").asLong();
  }

  static long total(String params, String more) throws Exception {
    HttpResponse<String> r =
        get("/api/v1/decisions?from=now-1h&" + params + more.replace(":", "%3A"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body()).get("total").asLong();
  }

  static double indexerMetric(String name, String record) {
    return registry.get(name).tag("record", record).counter().count();
  }

  static double detectorMetric(String name) {
    return registry.get(name).counter().count();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .header("Authorization", "Bearer " + ADMIN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
