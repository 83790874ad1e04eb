package dev.mcpaudit.detector.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A receiver that fails twice still gets the alert, once, signed, while detection carries on. */
class WebhookIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @TempDir Path dir;
  private HttpServer receiver;
  private final AtomicInteger attempts = new AtomicInteger();
  private final List<Received> accepted = new CopyOnWriteArrayList<>();

  record Received(String alertId, String signature, byte[] body) {}

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          int n = attempts.incrementAndGet();
          int status = n <= 2 ? 503 : 204;
          if (status == 204) {
            accepted.add(
                new Received(
                    exchange.getRequestHeaders().getFirst("X-McpAudit-Alert-Id"),
                    exchange.getRequestHeaders().getFirst("X-McpAudit-Signature"),
                    body));
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void anAlertReachesAReceiverThatFailsTheFirstTwoAttemptsExactlyOnce() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("webhook-decisions");
    String alerts = KafkaBrokerExtension.uniqueTopic("webhook-alerts");
    kafka.createTopics(2, decisions, alerts);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DetectorConfig config = config(decisions, alerts, Map.of());
    try (DetectorService detector = DetectorService.embedded(config, registry)) {
      Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      publish(
          decisions,
          lifecycle("ev-w-1", EventKind.HANDLE_REVOKED, t),
          allow("ev-w-2", t.plusSeconds(1)));

      await().atMost(Duration.ofSeconds(90)).until(() -> accepted.size() == 1);
      // And it stays at one: no further delivery of the same alert.
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> accepted.size() == 1 && attempts.get() == 3);

      Received r = accepted.get(0);
      JsonNode alert = EventCodec.mapper().readTree(r.body());
      assertThat(alert.get("type").asText()).isEqualTo("REVOKED_HANDLE_USE");
      assertThat(alert.get("subject").asText()).isEqualTo("h-webhook");
      assertThat(alert.get("evidence"))
          .extracting(JsonNode::asText)
          .containsExactly("ev-w-1", "ev-w-2");
      assertThat(r.alertId()).isEqualTo(alert.get("alert_id").asText());
      assertThat(r.signature())
          .isEqualTo("sha256=" + WebhookSink.hmac("s3cret-for-the-test", r.body()));
      assertThat(
              registry
                  .get("mcp_audit_webhook_deliveries")
                  .tag("outcome", "retried")
                  .counter()
                  .count())
          .isEqualTo(2);
      assertThat(
              registry
                  .get("mcp_audit_webhook_deliveries")
                  .tag("outcome", "delivered")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(
              registry
                  .get("mcp_audit_webhook_deliveries")
                  .tag("outcome", "failed")
                  .counter()
                  .count())
          .isZero();
    }
  }

  @Test
  void anAlertWithHostileFieldsIsDeliveredSafelyAndTheSinkCarriesOn() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("webhook-hostile-decisions");
    String alerts = KafkaBrokerExtension.uniqueTopic("webhook-hostile-alerts");
    kafka.createTopics(1, decisions, alerts);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DetectorConfig config = config(decisions, alerts, Map.of("detector.webhook.format", "slack"));
    try (DetectorService detector = DetectorService.embedded(config, registry)) {
      // Written straight to the alerts topic, as anyone with write access could.
      Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      Alert hostile =
          new Alert(
              "evil\r\nX-Injected: 1",
              AlertType.REPLAY,
              Severity.HIGH,
              "tenant-1",
              t,
              "<!channel> look",
              null,
              null,
              null,
              List.of("ev-1"),
              "nonce <!channel> & <@U123|admin>");
      Alert after =
          new Alert(
              "0123abcd",
              AlertType.REPLAY,
              Severity.HIGH,
              "tenant-1",
              t,
              "nonce-2",
              null,
              null,
              null,
              List.of("ev-2"),
              "an ordinary one");
      try (KafkaProducer<String, byte[]> p =
          new KafkaProducer<>(
              Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
              new StringSerializer(),
              new ByteArraySerializer())) {
        for (Alert a : List.of(hostile, after)) {
          p.send(
              TestStamps.asDetector(
                  new ProducerRecord<>(alerts, "k", EventCodec.mapper().writeValueAsBytes(a))));
        }
        p.flush();
      }
      await().atMost(Duration.ofSeconds(90)).until(() -> accepted.size() == 2);
      // Delivered concurrently, with retries: found by id, not by order.
      assertThat(accepted)
          .extracting(Received::alertId)
          .containsExactlyInAnyOrder("evil%0D%0AX-Injected:%201", "0123abcd");
      Received first =
          accepted.stream().filter(r -> r.alertId().startsWith("evil")).findFirst().orElseThrow();
      assertThat(first.signature())
          .isEqualTo("sha256=" + WebhookSink.hmac("s3cret-for-the-test", first.body()));
      String text = EventCodec.mapper().readTree(first.body()).get("text").asText();
      assertThat(text)
          .doesNotContain("<!channel>", "<@U123")
          .contains("&lt;!channel&gt; look", "&amp; &lt;@U123|admin&gt;");
    }
  }

  /** A detector on these topics posting to the receiver, signed, retrying after 100 ms. */
  private DetectorConfig config(String decisions, String alerts, Map<String, String> extra) {
    Map<String, String> s = new java.util.HashMap<>(extra);
    s.put("kafka.bootstrap-servers", kafka.bootstrapServers());
    s.put("topics.decisions", decisions);
    s.put("topics.alerts", alerts);
    s.put("detector.application-id", "webhook-it-" + decisions);
    s.put("detector.state-dir", dir.toString());
    s.put("detector.webhook.urls", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
    s.put("detector.webhook.secret", "s3cret-for-the-test");
    s.put("detector.webhook.initial-backoff", "100ms");
    return DetectorConfig.from(Settings.of(TestStamps.with(s)));
  }

  private void publish(String topic, AuthzEvent... events) {
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (AuthzEvent e : events) {
        p.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
      }
      p.flush();
    }
  }

  private static AuthzEvent lifecycle(String id, EventKind kind, Instant at) {
    return AuthzEvent.builder()
        .eventId(id)
        .kind(kind)
        .occurredAt(at)
        .tenant("tenant-1")
        .handle(new Handle("h-webhook", null, at, null, List.of("repo:read"), null, null))
        .actor(new Actor("spiffe://example.org/agent/w", ActorType.AGENT, null, null))
        .source(new Source("gw-1", "w-1", null, null))
        .build();
  }

  private static AuthzEvent allow(String id, Instant at) {
    return AuthzEvent.builder()
        .eventId(id)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant("tenant-1")
        .decision(Decision.ALLOW)
        .reasonCode("ALLOWED")
        .handle(new Handle("h-webhook", null, null, null, null, null, null))
        .actor(new Actor("spiffe://example.org/agent/w", ActorType.AGENT, null, null))
        .tool(new Tool("github", "create_issue", "tools/call", null))
        .source(new Source("gw-1", "w-2", null, null))
        .build();
  }
}
