package dev.mcpaudit.app.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.app.McpAudit;
import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.kafka.client.KafkaAccessRefused;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.embedded.BrokerSettings;
import dev.mcpaudit.kafka.embedded.DevCertificates;
import dev.mcpaudit.kafka.embedded.EmbeddedKafkaBroker;
import dev.mcpaudit.kafka.embedded.SaslSslListener;
import dev.mcpaudit.publisher.DecisionPublisher;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every role against a Kafka that only speaks SASL_SSL with SCRAM-SHA-512 and a CA of its own, as a
 * managed Kafka does, with an authorizer granting each principal only the README's ACLs: each role
 * configured through {@code kafka.client.*} alone, with a principal of its own through {@code
 * <role>.kafka.client.*}; and what happens when a password is wrong.
 */
class ProductionKafkaIT {
  private static final Map<String, String> USERS =
      Map.of(
          "collector", "collector-pw-" + UUID.randomUUID(),
          "indexer", "indexer-pw-" + UUID.randomUUID(),
          "detector", "detector-pw-" + UUID.randomUUID(),
          "api", "api-pw-" + UUID.randomUUID(),
          "gateway", "gateway-pw-" + UUID.randomUUID());
  private static final String SOURCE = TokenDigest.newToken();
  private static final String ANALYST = TokenDigest.newToken();

  @TempDir static Path dir;
  static EmbeddedKafkaBroker broker;
  static SaslSslListener listener;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startBroker() throws Exception {
    listener = new SaslSslListener(DevCertificates.in(dir.resolve("certs")), USERS);
    broker =
        new EmbeddedKafkaBroker(
                BrokerSettings.inDirectory(dir.resolve("kafka"))
                    .withOverrides(
                        Map.of(
                            "authorizer.class.name",
                            "org.apache.kafka.metadata.authorizer.StandardAuthorizer"))
                    .withSaslSsl(listener))
            .start();
    broker.createTopics(3, Topics.defaults().all());
    grantTheAclsTheReadmeLists();
  }

  /**
   * With an authorizer on, each principal gets exactly the ACLs of the README's table ("Production
   * Kafka"), so the table is what is tested.
   */
  private static void grantTheAclsTheReadmeLists() throws Exception {
    String decisions = Topics.DEFAULT_DECISIONS;
    String dlq = Topics.DEFAULT_DEAD_LETTER;
    String alerts = Topics.DEFAULT_ALERTS;
    String app = "mcp-audit-detector";
    List<AclBinding> acls = new ArrayList<>();
    allow(acls, "collector", topic(decisions), WRITE, DESCRIBE);
    allow(acls, "collector", topic(dlq), WRITE, DESCRIBE);
    allow(acls, "indexer", topic(decisions), READ, DESCRIBE);
    allow(acls, "indexer", group("mcp-audit-indexer"), READ, DESCRIBE);
    allow(acls, "indexer", topic(alerts), READ, DESCRIBE);
    allow(acls, "indexer", topic(dlq), WRITE, DESCRIBE);
    allow(acls, "indexer", topic(Topics.DEFAULT_ALERT_CHANGES), READ, DESCRIBE);
    allow(acls, "detector", topic(decisions), READ, DESCRIBE);
    allow(acls, "detector", topic(Topics.DEFAULT_RULES), READ, DESCRIBE);
    allow(acls, "detector", topic(alerts), WRITE, READ, DESCRIBE);
    allow(
        acls,
        "detector",
        new ResourcePattern(ResourceType.TOPIC, app + "-", PatternType.PREFIXED),
        AclOperation.ALL);
    allow(
        acls, "detector", new ResourcePattern(ResourceType.GROUP, app, PatternType.PREFIXED), READ);
    allow(
        acls,
        "detector",
        new ResourcePattern(ResourceType.TRANSACTIONAL_ID, app + "-", PatternType.PREFIXED),
        WRITE,
        DESCRIBE);
    allow(acls, "api", topic(decisions), WRITE, READ, DESCRIBE);
    allow(acls, "api", group(app), DESCRIBE);
    allow(
        acls,
        "api",
        topic(Topics.DEFAULT_ALERT_CHANGES),
        AclOperation.CREATE,
        AclOperation.DESCRIBE_CONFIGS,
        WRITE,
        READ,
        DESCRIBE);
    allow(
        acls,
        "api",
        topic(Topics.DEFAULT_RULES),
        AclOperation.CREATE,
        AclOperation.DESCRIBE_CONFIGS,
        WRITE,
        READ,
        DESCRIBE);
    allow(acls, "gateway", topic(decisions), WRITE, DESCRIBE);
    Map<String, Object> p = new HashMap<>(broker.adminClientProperties());
    p.put("bootstrap.servers", broker.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static final AclOperation READ = AclOperation.READ;
  private static final AclOperation WRITE = AclOperation.WRITE;
  private static final AclOperation DESCRIBE = AclOperation.DESCRIBE;

  private static ResourcePattern topic(String name) {
    return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
  }

  private static ResourcePattern group(String name) {
    return new ResourcePattern(ResourceType.GROUP, name, PatternType.LITERAL);
  }

  private static void allow(
      List<AclBinding> acls, String user, ResourcePattern resource, AclOperation... ops) {
    for (AclOperation op : ops) {
      acls.add(
          new AclBinding(
              resource, new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW)));
    }
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** What an operator writes: the cluster's TLS and mechanism once, each role's login apart. */
  private Map<String, String> settings(String wrongPasswordFor) {
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap-servers", broker.bootstrapServers());
    s.put("kafka.client.security.protocol", "SASL_SSL");
    s.put("kafka.client.sasl.mechanism", "SCRAM-SHA-512");
    s.put("kafka.client.ssl.truststore.type", "PKCS12");
    s.put("kafka.client.ssl.truststore.location", listener.certificates().trustStore().toString());
    s.put("kafka.client.ssl.truststore.password", listener.certificates().password());
    for (String role : List.of("collector", "indexer", "detector", "api")) {
      String password =
          role.equals(wrongPasswordFor) ? "wrong-" + USERS.get(role) : USERS.get(role);
      s.put(role + ".kafka.client.sasl.jaas.config", SaslSslListener.jaas(role, password));
    }
    s.put("collector.port", "0");
    s.put("collector.token.gw", TokenDigest.of(SOURCE));
    s.put("collector.token.gw.tenants", "*");
    s.put("indexer.port", "0");
    s.put("indexer.data-dir", dir.resolve("indexer").toString());
    s.put("indexer.commit-interval", "300ms");
    s.put("detector.port", "0");
    s.put("detector.state-dir", dir.resolve("detector").toString());
    s.put("api.port", "0");
    s.put("api.index-dir", dir.resolve("indexer").resolve("index").toString());
    s.put("api.alerts-dir", dir.resolve("indexer").resolve("alerts").toString());
    s.put("api.audit-spool-dir", dir.resolve("api-audit").toString());
    s.put("api.reopen-interval", "100ms");
    s.put("api.token.ana", TokenDigest.of(ANALYST));
    s.put("api.token.ana.role", "analyst");
    s.put("api.token.ana.tenants", "*");
    return s;
  }

  @Test
  void everyRoleWorksThroughSaslSslConfiguredOnlyByPassthrough() throws Exception {
    Settings settings = Settings.of(TestStamps.with(settings(null)));
    AuthzEvent posted = decision();
    AuthzEvent replayed =
        posted.toBuilder()
            .eventId(posted.eventId() + "-replayed")
            .occurredAt(posted.occurredAt().plusSeconds(2))
            .source(new Source("gw-replay", "w-9", "us-east-1", null))
            .build();
    try (CollectorServer collector = CollectorServer.start(CollectorConfig.from(settings));
        IndexerService indexer = IndexerService.start(IndexerConfig.from(settings));
        DetectorService detector = DetectorService.start(DetectorConfig.from(settings));
        ApiServer api = ApiServer.start(ApiConfig.from(settings))) {
      HttpResponse<String> r = post(collector.port(), posted);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> total(api.port(), "/api/v1/decisions?q=event_id:" + posted.eventId()) == 1);

      // The publisher library, the way a gateway uses it, with its own principal.
      KafkaClients gateway =
          KafkaClients.of(
              broker.bootstrapServers(),
              listener.clientProperties("gateway").entrySet().stream()
                  .map(
                      e ->
                          new KafkaClients.Passthrough(
                              "gateway " + e.getKey(), e.getKey(), e.getValue()))
                  .toList(),
              java.util.Set.of());
      try (DecisionPublisher publisher =
          DecisionPublisher.builder()
              .kafka(gateway)
              .topic(Topics.DEFAULT_DECISIONS)
              .clientId("gw-replay")
              .spoolDirectory(dir.resolve("gateway-spool"))
              .build()) {
        publisher.publish(replayed).get(60, TimeUnit.SECONDS);
      }
      // The ACLs bite: a gateway's principal cannot forge an alert.
      try (KafkaProducer<byte[], byte[]> forger =
          new KafkaProducer<>(
              gateway.producer("gw-forger", Map.of("max.block.ms", 10_000)),
              new ByteArraySerializer(),
              new ByteArraySerializer())) {
        assertThatThrownBy(
                () ->
                    forger
                        .send(new ProducerRecord<>(Topics.DEFAULT_ALERTS, new byte[] {'{', '}'}))
                        .get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> total(api.port(), "/api/v1/decisions?q=event_id:" + replayed.eventId()) == 1);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> total(api.port(), "/api/v1/alerts?type=REPLAY") >= 1);
      JsonNode alerts = get(api.port(), "/api/v1/alerts?type=REPLAY");
      assertThat(alerts.toString()).contains(posted.request().nonce());
      // The table's rights are enough to measure detection lag, in the detector and the api.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> detector.lag().map(s -> s.records() == 0).orElse(false));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> get(api.port(), "/api/v1/detection").get("known").asBoolean());
    }
  }

  /**
   * The webhook sink loses its consumer group (an operator's ACL change): every poll fails. It must
   * say so, count it, back off and start over, and deliver what was raised meanwhile once the group
   * is back, instead of a thread that died silently.
   */
  @Test
  void aWebhookSinkThatLosesItsGroupStartsOverAndDeliversOnceItIsBack() throws Exception {
    List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer receiver =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          received.add(exchange.getRequestHeaders().getFirst("X-McpAudit-Alert-Id"));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
    Map<String, String> s = settings(null);
    s.put("detector.webhook.urls", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    DetectorConfig config = DetectorConfig.from(Settings.of(TestStamps.with(s)));
    String group = "mcp-audit-detector-webhook-restart";
    // Its own alerts topic (one the detector's prefix ACL covers): these alerts are not for the
    // index the other tests read.
    String alerts = "mcp-audit-detector-restart-alerts";
    broker.createTopics(1, List.of(alerts));
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    AclBinding deny =
        new AclBinding(
            group(group),
            new AccessControlEntry("User:detector", "*", AclOperation.ALL, AclPermissionType.DENY));
    try (dev.mcpaudit.detector.webhook.WebhookSink sink =
            new dev.mcpaudit.detector.webhook.WebhookSink(
                config.webhook(), config.kafka(), alerts, group, config.stamps(), registry);
        Admin admin = Admin.create(brokerClient())) {
      Thread thread = Thread.ofPlatform().name("webhook-under-test").start(sink);
      assertThat(sink.awaitAssigned(Duration.ofSeconds(60))).isTrue();
      raise(alerts, "al-restart-1");
      await().atMost(Duration.ofSeconds(60)).until(() -> received.contains("al-restart-1"));

      admin.createAcls(List.of(deny)).all().get(30, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> registry.get("mcp_audit_webhook_sink_restarts").counter().count() >= 1);
      raise(alerts, "al-restart-2");
      admin.deleteAcls(List.of(deny.toFilter())).all().get(30, TimeUnit.SECONDS);

      await().atMost(Duration.ofSeconds(90)).until(() -> received.contains("al-restart-2"));
      assertThat(thread.isAlive()).isTrue();
    } finally {
      receiver.stop(0);
    }
  }

  private Map<String, Object> brokerClient() {
    Map<String, Object> p = new HashMap<>(broker.adminClientProperties());
    p.put("bootstrap.servers", broker.bootstrapServers());
    return p;
  }

  /** An alert on the alerts topic, written as the broker's own user. */
  private void raise(String topic, String alertId) throws Exception {
    var alert =
        new dev.mcpaudit.schema.alert.Alert(
            alertId,
            dev.mcpaudit.schema.alert.AlertType.REPLAY,
            dev.mcpaudit.schema.alert.Severity.HIGH,
            "acme",
            Instant.now(),
            "nonce-" + alertId,
            "spiffe://acme/agent/a",
            null,
            null,
            List.of("ev-1", "ev-2"),
            "request nonce reused");
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(brokerClient(), new ByteArraySerializer(), new ByteArraySerializer())) {
      byte[] value = EventCodec.mapper().writeValueAsBytes(alert);
      // Stamped as the detector stamps its alerts: the sink delivers nothing else.
      ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, value);
      r.headers().add(TestStamps.header(dev.mcpaudit.kafka.stamp.StampKind.DETECTOR, value));
      p.send(r).get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWrongPasswordStopsEachRoleAtStartAndNoSecretIsLogged() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger kafkaLog = (Logger) LoggerFactory.getLogger("org.apache.kafka");
    Level before = kafkaLog.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    // Kafka's clients print their whole configuration at INFO: that is where a secret would show.
    kafkaLog.setLevel(Level.INFO);
    List<String> messages = new ArrayList<>();
    try {
      Map<String, Supplier<AutoCloseable>> roles = new java.util.LinkedHashMap<>();
      roles.put(
          "collector",
          () ->
              CollectorServer.start(
                  CollectorConfig.from(Settings.of(TestStamps.with(settings("collector"))))));
      roles.put(
          "indexer",
          () ->
              IndexerService.start(
                  IndexerConfig.from(Settings.of(TestStamps.with(settings("indexer"))))));
      roles.put(
          "detector",
          () ->
              DetectorService.start(
                  DetectorConfig.from(Settings.of(TestStamps.with(settings("detector"))))));
      roles.put(
          "api",
          () -> ApiServer.start(ApiConfig.from(Settings.of(TestStamps.with(settings("api"))))));
      for (var role : roles.entrySet()) {
        long started = System.nanoTime();
        assertThatThrownBy(() -> role.getValue().get().close())
            .as(role.getKey())
            .isInstanceOf(KafkaAccessRefused.class)
            .hasMessageContaining("refused mcp-audit-")
            .hasMessageContaining("SCRAM-SHA-512")
            .satisfies(e -> messages.add(e.getMessage()));
        // Refused at once, not after a retry loop that runs out a timeout.
        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .isLessThan(Duration.ofSeconds(60));
      }

      // The command a platform engineer runs says so and exits 1.
      Path file = dir.resolve("collector-wrong.properties");
      Properties p = new Properties();
      p.putAll(settings("collector"));
      try (var out = Files.newBufferedWriter(file)) {
        p.store(out, null);
      }
      StringWriter err = new StringWriter();
      int exit =
          McpAudit.run(
              new PrintWriter(new StringWriter()),
              new PrintWriter(err, true),
              "collector",
              "--config",
              file.toString());
      assertThat(exit).isEqualTo(1);
      assertThat(err.toString())
          .startsWith("mcp-audit collector: Kafka at " + broker.bootstrapServers())
          .contains("SASL_SSL, SCRAM-SHA-512")
          .contains("refused mcp-audit-collector");
      messages.add(err.toString());
    } finally {
      root.detachAppender(captured);
      kafkaLog.setLevel(before);
    }
    List<String> logged = new ArrayList<>(messages);
    for (ILoggingEvent e : captured.list) {
      logged.add(e.getFormattedMessage());
      if (e.getThrowableProxy() != null) {
        logged.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }
    assertThat(logged).as("something was captured").hasSizeGreaterThan(10);
    assertThat(String.join("\n", logged))
        .as("a Kafka client config dump was captured, passwords hidden")
        .contains("sasl.jaas.config = [hidden]");
    for (String line : logged) {
      for (String password : USERS.values()) {
        assertThat(line).doesNotContain(password);
      }
      assertThat(line).doesNotContain(listener.certificates().password());
    }
  }

  private AuthzEvent decision() {
    // Now, not minutes ago: the API's own audit events move the detector's stream time to now,
    // and a decision further behind than the rules' grace is late and skipped.
    SyntheticEvents gen = new SyntheticEvents(42, Instant.now().minusSeconds(5));
    for (int i = 0; i < 1000; i++) {
      AuthzEvent e = gen.next();
      if (e.request() != null && e.request().nonce() != null) {
        return e.toBuilder().eventId("sasl-" + UUID.randomUUID()).build();
      }
    }
    throw new AssertionError("no decision with a nonce in 1000 synthetic events");
  }

  private HttpResponse<String> post(int port, AuthzEvent e) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/decisions"))
            .header("Authorization", "Bearer " + SOURCE)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(EventCodec.encodeToString(e)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(int port, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ANALYST)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? EventCodec.mapper().readTree(r.body()) : null;
  }

  private long total(int port, String path) throws Exception {
    JsonNode n = get(port, path.replace(" ", URLEncoder.encode(" ", StandardCharsets.UTF_8)));
    if (n == null) {
      return -1;
    }
    JsonNode t = n.get("total");
    return t == null ? -1 : t.asLong();
  }
}
