package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.queryapi.audit.PublishedAuditTrail;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.auth.StaticTokens;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.http.ApiRoutes;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.queryapi.store.cluster.ClusterEventStore;
import dev.mcpaudit.queryapi.store.lucene.LuceneEventStore;
import dev.mcpaudit.queryapi.store.lucene.StoreThreads;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.http.HttpEdge;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * /api/v1/decisions over an index the real indexer built from a real broker, on a real HTTP port:
 * the embedded Lucene index, or the OpenSearch test node when the build runs the API's ITs against
 * it ({@link TestBackend}).
 */
class DecisionsApiIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

  static final int CORPUS = 30_000;
  static final String ANALYST = TokenDigest.newToken(); // tenant-0, tenant-1
  static final String AUDITOR = TokenDigest.newToken(); // every tenant
  static final String TENANT2 = TokenDigest.newToken(); // tenant-2 only
  static final String ADMIN = TokenDigest.newToken(); // every tenant, and _system
  // Whole milliseconds: the index keeps times at millisecond precision (docs/architecture.md, "The
  // contract").
  static final Instant START =
      Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).minus(Duration.ofHours(2));

  static String topic;
  static Path data;
  static IndexerService indexer;
  static Javalin app;
  static PublishedAuditTrail audit;
  static KafkaProducer<String, byte[]> producer;
  static dev.mcpaudit.kafka.client.LagWatch detectionLag;
  static final List<AuthzEvent> corpus = new ArrayList<>();
  static final List<AuthzEvent> lifecycle = Lifecycle.events(START.minus(Duration.ofHours(1)));
  static final HttpClient http = HttpClient.newHttpClient();

  private static StoreThreads storeThreads;
  private static Cluster cluster;
  private static final TestBackend BACKEND = TestBackend.current();

  @BeforeAll
  static void start() throws Exception {
    topic = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(4, topic, topic + ".dlq", topic + ".alerts");
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KAFKA.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                5),
            new StringSerializer(),
            new ByteArraySerializer());
    SyntheticEvents gen = new SyntheticEvents(5150, START);
    for (int i = 0; i < CORPUS; i++) {
      AuthzEvent e = gen.next();
      corpus.add(e);
      producer.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
    }
    // The handle's story, published out of order: the revocation arrives after the uses it
    // precedes.
    List<AuthzEvent> shuffled = new ArrayList<>(lifecycle);
    java.util.Collections.reverse(shuffled);
    for (AuthzEvent e : shuffled) {
      producer.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
    }
    producer.flush();
    data = Files.createTempDirectory("api-it");
    Map<String, String> indexerSettings =
        new HashMap<>(
            Map.of(
                "indexer.data-dir",
                data.toString(),
                "kafka.bootstrap-servers",
                KAFKA.bootstrapServers(),
                "topics.decisions",
                topic,
                "topics.dead-letter",
                topic + ".dlq",
                "topics.alerts",
                topic + ".alerts",
                "indexer.group-id",
                "api-" + topic));
    if (BACKEND == TestBackend.OPENSEARCH) {
      indexerSettings.putAll(
          TestBackend.settings("decisions-api-" + topic.toLowerCase(Locale.ROOT)));
      indexerSettings.put("indexer.commit-interval", "1s");
    }
    indexer =
        IndexerService.embedded(
            IndexerConfig.from(Settings.of(TestStamps.with(indexerSettings))),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    QueryLimits limits = QueryLimits.defaults(Duration.ofSeconds(5));
    storeThreads = StoreThreads.start();
    EventStore store;
    if (BACKEND == TestBackend.OPENSEARCH) {
      cluster =
          Cluster.connect(
              OpenSearchSettings.from(
                  Settings.of(
                      TestBackend.settings("decisions-api-" + topic.toLowerCase(Locale.ROOT)))));
      store = ClusterEventStore.over(cluster, limits);
      EventQuery everything =
          new EventQuery("", new TimeRange(START.minus(Duration.ofDays(1)), Instant.now()));
      TenantScope admin = TenantScope.of(new Caller("it", Role.ADMIN, Set.of(), true), null);
      await()
          .atMost(Duration.ofMinutes(2))
          // A daily index the indexer has just created answers 503 until its shard is started.
          .ignoreException(IndexUnavailable.class)
          .until(() -> store.count(admin, everything) == CORPUS + lifecycle.size());
    } else {
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> indexer.index().liveDocs() == CORPUS + lifecycle.size());
      indexer.searchers().maybeRefreshBlocking();
      store =
          LuceneEventStore.over(
              indexer.searchers(), indexer.alertSearchers(), limits, storeThreads);
    }

    StaticTokens tokens =
        StaticTokens.of(
            Map.of(
                TokenDigest.of(ANALYST),
                    new Caller("alice", Role.ANALYST, Set.of("tenant-0", "tenant-1"), false),
                TokenDigest.of(AUDITOR), new Caller("carol", Role.AUDITOR, Set.of(), true),
                TokenDigest.of(TENANT2), new Caller("bob", Role.ANALYST, Set.of("tenant-2"), false),
                TokenDigest.of(ADMIN), new Caller("root", Role.ADMIN, Set.of(), true)));
    audit =
        new PublishedAuditTrail(
            PublishedAuditTrail.publisher(
                    KafkaClients.plain(KAFKA.bootstrapServers()),
                    topic,
                    data.resolve("audit-spool"),
                    TestStamps.stamps())
                .build(),
            Clock.systemUTC(),
            "it",
            Duration.ofSeconds(1),
            1000);
    ApiRoutes routes =
        ApiRoutes.assemble(
            store,
            new Authenticator(tokens, Optional.of(Jwts.verifier())),
            audit,
            limits,
            ExportLimits.defaults(),
            Clock.systemUTC());
    // No detector reads this topic: detection is behind by all of it.
    detectionLag =
        dev.mcpaudit.kafka.client.LagWatch.start(
            KafkaClients.plain(KAFKA.bootstrapServers()),
            "it-detection-lag",
            "no-detector-" + topic,
            topic,
            Duration.ofMillis(500),
            Clock.systemUTC());
    routes.detection(detectionLag::latest);
    app =
        Javalin.create(
                cfg -> {
                  cfg.startup.showJavalinBanner = false;
                  cfg.jsonMapper(ApiRoutes.json());
                  HttpEdge.install(cfg);
                  routes.install(cfg);
                })
            .start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() throws Exception {
    app.stop();
    storeThreads.close();
    detectionLag.close();
    audit.close();
    producer.close();
    indexer.close();
    if (cluster != null) {
      cluster.close();
    }
  }

  static HttpResponse<String> get(String token, String path, Map<String, String> params)
      throws Exception {
    StringBuilder qs = new StringBuilder();
    params.forEach(
        (k, v) ->
            qs.append(qs.isEmpty() ? "?" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path + qs));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body());
  }

  /** The corpus's window: events that other tests publish meanwhile are newer and stay outside. */
  static final Map<String, String> WHOLE_CORPUS =
      Map.of(
          "from",
          Rfc3339.format(START.minusSeconds(1)),
          "to",
          Rfc3339.format(START.plus(Duration.ofMinutes(10))));

  static Map<String, String> with(String... kv) {
    Map<String, String> m = new HashMap<>(WHOLE_CORPUS);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void detectionLagIsMeasuredFromKafkaForAnyAnalystAndRefusedWithoutAToken() throws Exception {
    assertThat(get(null, "/api/v1/detection", Map.of()).statusCode()).isEqualTo(401);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> json(get(TENANT2, "/api/v1/detection", Map.of())).get("known").asBoolean());
    JsonNode lag = json(get(TENANT2, "/api/v1/detection", Map.of()));
    // The whole corpus waits (and whatever the API's audit trail has added since).
    assertThat(lag.get("records_behind").asLong()).isGreaterThanOrEqualTo(CORPUS);
    assertThat(lag.get("seconds_behind").asDouble()).isPositive();
    assertThat(lag.get("measured_at").asText()).isNotBlank();
  }

  @Test
  void denyCountMatchesTheCorpusForTheCallersTenants() throws Exception {
    long expected =
        corpus.stream()
            .filter(e -> e.decision() == Decision.DENY)
            .filter(e -> Set.of("tenant-0", "tenant-1").contains(e.tenant()))
            .count();
    JsonNode page =
        json(get(ANALYST, "/api/v1/decisions", with("q", "decision:deny", "limit", "20")));
    assertThat(page.get("total").asLong()).isEqualTo(expected);
    assertThat(page.get("total_relation").asText()).isEqualTo("eq");
    assertThat(page.get("events"))
        .hasSize(20)
        .allSatisfy(
            e -> {
              assertThat(e.get("decision").asText()).isEqualTo("deny");
              assertThat(e.get("tenant").asText()).isIn("tenant-0", "tenant-1");
            });
  }

  @Test
  void keywordFieldsMatchWholeValuesAndWildcardsWork() throws Exception {
    String actor = "spiffe://example.org/agent/a-1";
    long exact = corpus.stream().filter(e -> e.actor().id().equals(actor)).count();
    JsonNode byActor =
        json(
            get(
                AUDITOR,
                "/api/v1/decisions",
                with("q", "actor.id:\"" + actor + "\"", "limit", "1")));
    assertThat(byActor.get("total").asLong()).isEqualTo(exact).isPositive();

    long creates = corpus.stream().filter(e -> e.tool().name().startsWith("create_")).count();
    JsonNode wild =
        json(get(AUDITOR, "/api/v1/decisions", with("q", "tool.name:create_*", "limit", "1")));
    assertTotal(wild, creates);

    Instant mid = corpus.get(CORPUS / 2).occurredAt();
    long after =
        corpus.stream()
            .filter(e -> !e.occurredAt().isBefore(mid) && e.decision() == Decision.ALLOW)
            .count();
    JsonNode ranged =
        json(
            get(
                AUDITOR,
                "/api/v1/decisions",
                with(
                    "q",
                    "decision:allow AND occurred_at:[\"" + Rfc3339.format(mid) + "\" TO *]",
                    "limit",
                    "1")));
    assertTotal(ranged, after);
  }

  /** Totals are exact at any size. */
  static void assertTotal(JsonNode page, long expected) {
    assertThat(page.get("total").asLong()).isEqualTo(expected);
    assertThat(page.get("total_relation").asText()).isEqualTo("eq");
  }

  @Test
  void walkingTheCursorReturnsEveryEventOnceNewestFirstWhileNewEventsArrive() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> arriving =
        CompletableFuture.runAsync(
            () -> {
              SyntheticEvents fresh = new SyntheticEvents(6160, Instant.now().minusSeconds(30));
              while (!stop.get()) {
                AuthzEvent e = fresh.next();
                producer.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
                LockSupport.parkNanos(2_000_000);
              }
            });
    try {
      Set<String> seen = new HashSet<>();
      List<JsonNode> all = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        Map<String, String> p = with("limit", "500");
        if (cursor != null) {
          p.put("cursor", cursor);
        }
        JsonNode page = json(get(AUDITOR, "/api/v1/decisions", p));
        page.get("events").forEach(all::add);
        cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
        pages++;
      } while (cursor != null);
      for (JsonNode e : all) {
        assertThat(seen.add(e.get("event_id").asText()))
            .as("seen once: " + e.get("event_id"))
            .isTrue();
      }
      assertThat(all).hasSize(CORPUS);
      assertThat(pages).isEqualTo(CORPUS / 500 + 1);
      for (int i = 1; i < all.size(); i++) {
        Instant prev = Instant.parse(all.get(i - 1).get("occurred_at").asText());
        Instant cur = Instant.parse(all.get(i).get("occurred_at").asText());
        assertThat(cur).isBeforeOrEqualTo(prev);
        if (cur.equals(prev)) {
          assertThat(all.get(i).get("event_id").asText())
              .isGreaterThan(all.get(i - 1).get("event_id").asText());
        }
      }
    } finally {
      stop.set(true);
      arriving.join();
    }
  }

  @Test
  void aTokenNeverSeesAnotherTenant() throws Exception {
    long tenant2 = corpus.stream().filter(e -> e.tenant().equals("tenant-2")).count();
    assertThat(json(get(TENANT2, "/api/v1/decisions", with("limit", "1"))).get("total").asLong())
        .isEqualTo(tenant2);
    assertThat(
            json(get(TENANT2, "/api/v1/decisions", with("q", "tenant:tenant-0")))
                .get("total")
                .asLong())
        .isZero();
    assertThat(
            json(get(
                    TENANT2,
                    "/api/v1/decisions",
                    with("q", "tenant:tenant-0 OR tenant:tenant-2", "limit", "1")))
                .get("total")
                .asLong())
        .isEqualTo(tenant2);
    HttpResponse<String> other = get(TENANT2, "/api/v1/decisions", with("tenant", "tenant-0"));
    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(other.headers().firstValue("Content-Type")).hasValue("application/problem+json");

    AuthzEvent foreign =
        corpus.stream().filter(e -> e.tenant().equals("tenant-0")).findFirst().orElseThrow();
    assertThat(get(TENANT2, "/api/v1/decisions/" + foreign.eventId(), Map.of()).statusCode())
        .isEqualTo(404);
    JsonNode mine = json(get(ANALYST, "/api/v1/decisions/" + foreign.eventId(), Map.of()));
    assertThat(mine.get("event_id").asText()).isEqualTo(foreign.eventId());
    assertThat(mine.get("_meta").get("ingested_at").asText()).endsWith("Z");
    // Kafka offsets count every tenant's traffic between one's own events: admins only.
    assertThat(mine.get("_meta").has("offset")).isFalse();
    assertThat(mine.get("_meta").has("partition")).isFalse();
    JsonNode asAdmin = json(get(ADMIN, "/api/v1/decisions/" + foreign.eventId(), Map.of()));
    assertThat(asAdmin.get("_meta").get("partition").asInt()).isBetween(0, 3);
    assertThat(asAdmin.get("_meta").get("offset").asLong()).isNotNegative();
  }

  @Test
  void aCursorWorksOnlyForTheCallerItWasIssuedTo() throws Exception {
    JsonNode page = json(get(AUDITOR, "/api/v1/decisions", with("limit", "5")));
    String cursor = page.get("next_cursor").asText();
    assertThat(
            json(get(AUDITOR, "/api/v1/decisions", with("limit", "5", "cursor", cursor)))
                .get("events"))
        .hasSize(5);
    for (String other : List.of(TENANT2, ANALYST, ADMIN)) {
      HttpResponse<String> r =
          get(other, "/api/v1/decisions", with("limit", "5", "cursor", cursor));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(r.body()).contains("cursor: not a cursor this API issued for this caller");
    }
    // Opaque: the last event's id is not in it.
    String lastId = page.get("events").get(4).get("event_id").asText();
    assertThat(
            new String(
                java.util.Base64.getUrlDecoder().decode(cursor),
                java.nio.charset.StandardCharsets.ISO_8859_1))
        .doesNotContain(lastId);
  }

  @Test
  void badRequestsSayWhatToFix() throws Exception {
    assertThat(get(null, "/api/v1/decisions", Map.of()).statusCode()).isEqualTo(401);
    assertThat(get("nope", "/api/v1/decisions", Map.of()).statusCode()).isEqualTo(401);
    HttpResponse<String> field = get(AUDITOR, "/api/v1/decisions", Map.of("q", "session.id:x"));
    assertThat(field.statusCode()).isEqualTo(400);
    assertThat(field.body()).contains("unknown field 'session.id'", "actor.id");
    assertThat(get(AUDITOR, "/api/v1/decisions", Map.of("q", "tool.name:*x")).body())
        .contains("q:");
    assertThat(
            get(AUDITOR, "/api/v1/decisions", Map.of("q", "occurred_at:[yesterday TO *]")).body())
        .contains("not RFC 3339");
    assertThat(get(AUDITOR, "/api/v1/decisions", Map.of("limit", "5000")).body())
        .contains("limit: must be a whole number 1-1000");
    assertThat(get(AUDITOR, "/api/v1/decisions", Map.of("cursor", "garbage")).body())
        .contains("cursor:");
    assertThat(get(AUDITOR, "/api/v1/decisions", Map.of("from", "last tuesday")).body())
        .contains("from:");
    assertThat(get(AUDITOR, "/api/v1/decisions/nope", Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void accessSummaryEqualsWhatTheCorpusSays() throws Exception {
    String actor = "spiffe://example.org/agent/a-7";
    JsonNode got = json(get(AUDITOR, "/api/v1/access", with("actor", actor)));
    ExpectedAccess want =
        ExpectedAccess.of(corpus.stream().filter(e -> e.actor().id().equals(actor)).toList());
    want.assertMatches(got);
    assertThat(got.get("actor").asText()).isEqualTo(actor);

    String user = "user-7@example.org";
    JsonNode byUser = json(get(AUDITOR, "/api/v1/access", with("on_behalf_of", user)));
    ExpectedAccess.of(corpus.stream().filter(e -> user.equals(e.actor().onBehalfOf())).toList())
        .assertMatches(byUser);
    assertThat(byUser.get("on_behalf_of").asText()).isEqualTo(user);

    // tenant-2's token sees none of a-7's decisions (a-7 acts in tenant-1)
    assertThat(
            json(get(TENANT2, "/api/v1/access", with("actor", actor)))
                .get("totals")
                .get("decisions")
                .asLong())
        .isZero();
    assertThat(get(AUDITOR, "/api/v1/access", Map.of()).statusCode()).isEqualTo(400);
  }

  @Test
  void handleTimelineTellsTheStoryByOccurredAtNotArrival() throws Exception {
    JsonNode h = json(get(AUDITOR, "/api/v1/handles/" + Lifecycle.HANDLE, Map.of()));
    assertThat(h.get("issued").get("kind").asText()).isEqualTo("handle.issued");
    assertThat(h.get("revoked").get("kind").asText()).isEqualTo("handle.revoked");
    assertThat(h.get("revoked_at").asText())
        .isEqualTo(Rfc3339.format(Lifecycle.revokedAt(START.minus(Duration.ofHours(1)))));
    assertThat(h.get("expires_at").asText())
        .isEqualTo(Rfc3339.format(Lifecycle.expiresAt(START.minus(Duration.ofHours(1)))));
    assertThat(h.get("decisions").asLong()).isEqualTo(Lifecycle.DECISIONS);
    assertThat(h.get("allow").asLong()).isEqualTo(Lifecycle.ALLOWS);
    assertThat(h.get("deny").asLong()).isEqualTo(Lifecycle.DECISIONS - Lifecycle.ALLOWS);
    assertThat(h.get("allowed_after_revocation").asLong())
        .isEqualTo(Lifecycle.ALLOWED_AFTER_REVOCATION);
    assertThat(h.get("attempts_after_revocation").asLong())
        .isEqualTo(Lifecycle.ATTEMPTS_AFTER_REVOCATION);
    assertThat(h.get("allowed_after_expiry").asLong()).isEqualTo(Lifecycle.ALLOWED_AFTER_EXPIRY);
    assertThat(h.get("attempts_after_expiry").asLong()).isEqualTo(Lifecycle.ATTEMPTS_AFTER_EXPIRY);
    assertThat(h.get("actors")).extracting(JsonNode::asText).containsExactly(Lifecycle.ACTOR);
    assertThat(h.get("tools"))
        .extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("create_issue", "delete_repo");
    List<String> order = new ArrayList<>();
    h.get("events").forEach(e -> order.add(e.get("event_id").asText()));
    assertThat(order).isEqualTo(lifecycle.stream().map(AuthzEvent::eventId).toList());

    // A synthetic handle: counts equal the corpus.
    AuthzEvent any = corpus.stream().filter(e -> e.handle() != null).findFirst().orElseThrow();
    List<AuthzEvent> uses =
        corpus.stream()
            .filter(e -> e.handle() != null && e.handle().id().equals(any.handle().id()))
            .toList();
    JsonNode s = json(get(AUDITOR, "/api/v1/handles/" + any.handle().id(), Map.of()));
    assertThat(s.get("decisions").asLong()).isEqualTo(uses.size());
    assertThat(s.get("allow").asLong())
        .isEqualTo(uses.stream().filter(e -> e.decision() == Decision.ALLOW).count());
    assertThat(s.get("issued").isNull()).isTrue();
    assertThat(s.get("revoked_at").isNull()).isTrue();
    assertThat(s.get("events")).hasSize(uses.size());

    assertThat(get(AUDITOR, "/api/v1/handles/never-seen", Map.of()).statusCode()).isEqualTo(404);
    assertThat(get(TENANT2, "/api/v1/handles/" + Lifecycle.HANDLE, Map.of()).statusCode())
        .isEqualTo(404);
  }

  @Test
  void topValuesAndHistogramCountWhatTheCorpusHolds() throws Exception {
    Map<String, Long> byServer = new java.util.TreeMap<>();
    corpus.forEach(e -> byServer.merge(e.tool().server(), 1L, Long::sum));
    JsonNode top =
        json(get(AUDITOR, "/api/v1/stats/top", with("field", "tool.server", "size", "3")));
    assertThat(top.get("field").asText()).isEqualTo("tool.server");
    assertThat(top.get("buckets")).hasSize(3);
    long previous = Long.MAX_VALUE;
    for (JsonNode b : top.get("buckets")) {
      String server = b.get("value").asText();
      assertThat(b.get("count").asLong())
          .isEqualTo(byServer.get(server))
          .isLessThanOrEqualTo(previous);
      long allow =
          corpus.stream()
              .filter(e -> e.tool().server().equals(server) && e.decision() == Decision.ALLOW)
              .count();
      assertThat(b.get("allow").asLong()).isEqualTo(allow);
      assertThat(b.get("deny").asLong()).isEqualTo(byServer.get(server) - allow);
      previous = b.get("count").asLong();
    }
    assertThat(get(AUDITOR, "/api/v1/stats/top", with("field", "reason")).statusCode())
        .isEqualTo(400);

    Instant from = corpus.get(0).occurredAt();
    Instant to = corpus.get(CORPUS - 1).occurredAt().plusMillis(1);
    JsonNode h =
        json(
            get(
                TENANT2,
                "/api/v1/stats/histogram",
                Map.of("from", Rfc3339.format(from), "to", Rfc3339.format(to), "buckets", "30")));
    long allow = 0;
    long deny = 0;
    for (JsonNode b : h.get("buckets")) {
      allow += b.get("allow").asLong();
      deny += b.get("deny").asLong();
    }
    assertThat(h.get("buckets")).hasSize(30);
    assertThat(h.get("interval_ms").asLong())
        .isEqualTo((to.toEpochMilli() - from.toEpochMilli() + 29) / 30);
    assertThat(allow)
        .isEqualTo(
            corpus.stream()
                .filter(e -> e.tenant().equals("tenant-2") && e.decision() == Decision.ALLOW)
                .count());
    assertThat(deny)
        .isEqualTo(
            corpus.stream()
                .filter(e -> e.tenant().equals("tenant-2") && e.decision() == Decision.DENY)
                .count());
    // When the data began and ended, for a client choosing a range that fits it.
    List<Instant> times =
        corpus.stream()
            .filter(e -> e.tenant().equals("tenant-2") && e.kind() == EventKind.DECISION)
            .map(e -> e.occurredAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
            .sorted()
            .toList();
    assertThat(h.get("first_seen").asText()).isEqualTo(Rfc3339.format(times.get(0)));
    assertThat(h.get("last_seen").asText()).isEqualTo(Rfc3339.format(times.get(times.size() - 1)));
    JsonNode none =
        json(
            get(
                TENANT2,
                "/api/v1/stats/histogram",
                Map.of("q", "actor.id:nobody", "from", Rfc3339.format(from))));
    assertThat(none.get("first_seen").isNull()).isTrue();
  }

  @Test
  void auditorsExportNdjsonCsvAndOcsfAnalystsCannot() throws Exception {
    Map<String, String> p = with("q", "tool.server:github", "tenant", "tenant-0");
    long expected =
        corpus.stream()
            .filter(e -> e.tool().server().equals("github") && e.tenant().equals("tenant-0"))
            .count();
    assertThat(expected).isPositive();

    HttpResponse<String> denied = get(ANALYST, "/api/v1/export", p);
    assertThat(denied.statusCode()).isEqualTo(403);
    assertThat(denied.body()).contains("auditor");

    p.put("format", "ndjson");
    HttpResponse<String> nd = get(AUDITOR, "/api/v1/export", p);
    assertThat(nd.statusCode()).isEqualTo(200);
    assertThat(nd.headers().firstValue("Content-Disposition"))
        .hasValueSatisfying(v -> assertThat(v).contains("attachment"));
    List<String> lines = nd.body().lines().toList();
    assertThat(lines).hasSize((int) expected);
    Instant previous = Instant.MIN;
    for (String l : lines) {
      JsonNode e = EventCodec.mapper().readTree(l);
      Instant t = Instant.parse(e.get("occurred_at").asText());
      assertThat(t).isAfterOrEqualTo(previous); // oldest first
      previous = t;
    }

    p.put("format", "csv");
    List<List<String>> rows = Csv.parse(get(AUDITOR, "/api/v1/export", p).body());
    assertThat(rows.get(0))
        .startsWith("event_id", "kind", "occurred_at")
        .contains("actor_id", "tool_name", "reason_code");
    assertThat(rows).hasSize((int) expected + 1);
    assertThat(rows.subList(1, rows.size()))
        .allSatisfy(r -> assertThat(r).hasSameSizeAs(rows.get(0)));

    p.put("format", "ocsf");
    List<String> ocsf = get(AUDITOR, "/api/v1/export", p).body().lines().toList();
    assertThat(ocsf).hasSize((int) expected);
    for (String l : ocsf) {
      JsonNode o = EventCodec.mapper().readTree(l);
      assertThat(o.get("class_uid").asInt()).isEqualTo(6003);
      assertThat(o.get("category_uid").asInt()).isEqualTo(6);
      assertThat(o.get("type_uid").asInt()).isEqualTo(600300 + o.get("activity_id").asInt());
      assertThat(o.get("time").asLong()).isPositive();
      assertThat(o.get("severity_id").asInt()).isIn(1, 3);
      assertThat(o.at("/metadata/product/name").asText()).isEqualTo("mcp-audit");
      assertThat(o.at("/metadata/version").asText()).isNotBlank();
      assertThat(o.at("/actor/user/uid").asText()).startsWith("spiffe://");
      assertThat(o.at("/actor/authorizations/0/decision").asText()).isIn("allow", "deny");
      assertThat(o.at("/api/operation").asText()).isNotBlank();
      assertThat(o.at("/api/service/name").asText()).isEqualTo("github");
      assertThat(o.at("/api/request/uid").asText()).isNotBlank();
      assertThat(o.at("/src_endpoint/name").asText()).startsWith("gw-");
      assertThat(o.get("status_id").asInt())
          .isEqualTo(o.at("/actor/authorizations/0/decision").asText().equals("allow") ? 1 : 2);
      assertThat(o.at("/unmapped/nonce").asText()).startsWith("nonce-");
    }
    p.put("format", "xml");
    assertThat(get(AUDITOR, "/api/v1/export", p).statusCode()).isEqualTo(400);
  }

  @Test
  void oidcTokensAreCheckedOnEveryRequest() throws Exception {
    String good = Jwts.valid("analyst", List.of("tenant-2"));
    long tenant2 = corpus.stream().filter(e -> e.tenant().equals("tenant-2")).count();
    assertThat(json(get(good, "/api/v1/decisions", with("limit", "1"))).get("total").asLong())
        .isEqualTo(tenant2);
    assertThat(get(good, "/api/v1/export", with("format", "csv")).statusCode()).isEqualTo(403);
    // Named under its issuer: a subject equal to a static token's name is still someone else.
    String namesake =
        Jwts.token(
            Jwts.IDP,
            Jwts.AUDIENCE,
            Instant.now().plus(Duration.ofMinutes(10)),
            "analyst",
            List.of("tenant-2"),
            "analyst");
    assertThat(json(get(namesake, "/api/v1/whoami", Map.of())).get("principal").asText())
        .isEqualTo(Jwts.PRINCIPAL_PREFIX + "analyst");

    Instant later = Instant.now().plus(Duration.ofMinutes(10));
    Map<String, String> refused =
        Map.of(
            "expired",
                Jwts.token(
                    Jwts.IDP,
                    Jwts.AUDIENCE,
                    Instant.now().minus(Duration.ofMinutes(5)),
                    "analyst",
                    List.of("tenant-2")),
            "wrong audience",
                Jwts.token(Jwts.IDP, "another-app", later, "analyst", List.of("tenant-2")),
            "wrong signature",
                Jwts.token(Jwts.ATTACKER, Jwts.AUDIENCE, later, "admin", List.of("*")),
            "no role", Jwts.token(Jwts.IDP, Jwts.AUDIENCE, later, null, List.of("tenant-2")),
            "malformed", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
            "blank subject",
                Jwts.token(Jwts.IDP, Jwts.AUDIENCE, later, "analyst", List.of("tenant-2"), " "),
            "subject null",
                Jwts.token(Jwts.IDP, Jwts.AUDIENCE, later, "analyst", List.of("tenant-2"), "null"),
            "tampered",
                good.substring(0, good.lastIndexOf('.') - 4)
                    + "AAAA"
                    + good.substring(good.lastIndexOf('.')));
    for (Map.Entry<String, String> t : refused.entrySet()) {
      HttpResponse<String> r = get(t.getValue(), "/api/v1/decisions", Map.of());
      assertThat(r.statusCode()).as(t.getKey() + ": " + r.body()).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(r.body()).contains("the token is not valid").doesNotContain("Exception");
    }
  }

  @Test
  void everyAuthorizationDecisionOfTheApiIsItselfAuditedUnderSystem() throws Exception {
    String marker = "probe-" + System.nanoTime();
    assertThat(get(null, "/api/v1/access", Map.of("actor", marker)).statusCode()).isEqualTo(401);
    assertThat(get("forged-" + marker, "/api/v1/access", Map.of("actor", marker)).statusCode())
        .isEqualTo(401);
    assertThat(get(ANALYST, "/api/v1/export", Map.of()).statusCode()).isEqualTo(403);
    assertThat(
            get(TENANT2, "/api/v1/access", Map.of("actor", marker, "tenant", "tenant-0"))
                .statusCode())
        .isEqualTo(403);
    assertThat(get(TENANT2, "/api/v1/access", Map.of("actor", marker)).statusCode()).isEqualTo(200);

    Map<String, String> system =
        Map.of(
            "tenant", "_system", "from", "now-10m", "limit", "1000", "q", "tool.server:mcp-audit");
    assertThat(get(AUDITOR, "/api/v1/decisions", system).statusCode())
        .isEqualTo(403); // only admins read the trail
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              List<JsonNode> trail = new ArrayList<>();
              json(get(ADMIN, "/api/v1/decisions", system)).get("events").forEach(trail::add);
              assertThat(trail)
                  .anySatisfy(
                      e -> {
                        assertThat(e.at("/tool/name").asText()).isEqualTo("api.access");
                        assertThat(e.get("reason_code").asText()).isEqualTo("CREDENTIAL_MISSING");
                        assertThat(e.at("/actor/id").asText()).isEqualTo("anonymous");
                      });
              assertThat(trail)
                  .anySatisfy(
                      e ->
                          assertThat(e.get("reason_code").asText())
                              .isEqualTo("CREDENTIAL_INVALID"));
              assertThat(trail)
                  .anySatisfy(
                      e -> {
                        assertThat(e.at("/tool/name").asText()).isEqualTo("api.export");
                        assertThat(e.get("decision").asText()).isEqualTo("deny");
                        assertThat(e.at("/actor/id").asText()).isEqualTo("alice");
                      });
              assertThat(trail)
                  .anySatisfy(
                      e -> {
                        assertThat(e.at("/actor/id").asText()).isEqualTo("bob");
                        assertThat(e.get("decision").asText()).isEqualTo("deny");
                        assertThat(e.get("reason").asText()).contains("tenant");
                      });
              assertThat(trail)
                  .anySatisfy(
                      e -> {
                        assertThat(e.at("/actor/id").asText()).isEqualTo("bob");
                        assertThat(e.get("decision").asText()).isEqualTo("allow");
                        assertThat(e.get("tenant").asText()).isEqualTo("_system");
                      });
              assertThat(trail)
                  .noneSatisfy(
                      e -> assertThat(e.toString()).contains(marker.replace("probe", "forged")));
            });
  }

  @Test
  void alertsAreServedNewestFirstWithEvidenceForTheCallersTenantsOnly() throws Exception {
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    List<Alert> sent =
        List.of(
            new Alert(
                "al-it-1",
                AlertType.REPLAY,
                Severity.HIGH,
                "tenant-0",
                now.minusSeconds(30),
                "nonce-x",
                "spiffe://a",
                "h-1",
                "create_issue",
                List.of("ev-1", "ev-2"),
                "nonce-x used twice"),
            new Alert(
                "al-it-2",
                AlertType.REVOKED_HANDLE_USE,
                Severity.CRITICAL,
                "tenant-1",
                now.minusSeconds(20),
                "h-2",
                "spiffe://b",
                "h-2",
                "read_file",
                List.of("ev-3", "ev-4"),
                "h-2 used after revocation"),
            new Alert(
                "al-it-3",
                AlertType.DENY_BURST,
                Severity.MEDIUM,
                "tenant-2",
                now.minusSeconds(10),
                "spiffe://c",
                "spiffe://c",
                null,
                null,
                List.of("ev-5"),
                "burst"));
    for (Alert a : sent) {
      producer.send(
          TestStamps.asDetector(
              new ProducerRecord<>(
                  topic + ".alerts", a.subject(), EventCodec.mapper().writeValueAsBytes(a))));
    }
    // A restarted detector re-emits the same alert: the index keeps one.
    producer.send(
        TestStamps.asDetector(
            new ProducerRecord<>(
                topic + ".alerts", "h-2", EventCodec.mapper().writeValueAsBytes(sent.get(1)))));
    producer.flush();

    Map<String, String> window = Map.of("from", "now-1h");
    // Until the indexer has made the alerts index (on OpenSearch its shards may still be starting:
    // a 503 that says so), then until it holds the three.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              HttpResponse<String> r = get(AUDITOR, "/api/v1/alerts", window);
              return r.statusCode() == 200 && json(r).get("total").asInt() == 3;
            });

    JsonNode mine = json(get(ANALYST, "/api/v1/alerts", window));
    assertThat(mine.get("total").asInt()).isEqualTo(2);
    assertThat(mine.get("alerts"))
        .extracting(a -> a.get("alert_id").asText())
        .containsExactly("al-it-2", "al-it-1");
    assertThat(mine.get("alerts").get(0).get("evidence"))
        .extracting(JsonNode::asText)
        .containsExactly("ev-3", "ev-4");
    assertThat(mine.get("alerts").get(0).get("severity").asText()).isEqualTo("critical");

    assertThat(
            json(get(ANALYST, "/api/v1/alerts", Map.of("from", "now-1h", "type", "replay")))
                .get("alerts"))
        .extracting(a -> a.get("alert_id").asText())
        .containsExactly("al-it-1");
    assertThat(
            json(get(ANALYST, "/api/v1/alerts", Map.of("from", "now-1h", "event_id", "ev-2")))
                .get("total")
                .asInt())
        .isEqualTo(1);
    assertThat(json(get(TENANT2, "/api/v1/alerts", window)).get("alerts"))
        .extracting(a -> a.get("alert_id").asText())
        .containsExactly("al-it-3");
    assertThat(
            get(TENANT2, "/api/v1/alerts", Map.of("from", "now-1h", "tenant", "tenant-0"))
                .statusCode())
        .isEqualTo(403);
    assertThat(get(null, "/api/v1/alerts", window).statusCode()).isEqualTo(401);
    HttpResponse<String> bad = get(ANALYST, "/api/v1/alerts", Map.of("type", "ROOTKIT"));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("type: expected one of");
  }
}
