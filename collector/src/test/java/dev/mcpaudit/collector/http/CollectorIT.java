package dev.mcpaudit.collector.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.PrometheusText;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TopicReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP collector against a real broker: what lands on the topic, in the DLQ, and what the
 * client hears.
 */
class CollectorIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

  static String decisions;
  static String dlq;
  static Collector collector;
  static final EventCodec codec = new EventCodec(EventValidator.withSystemClock());

  @BeforeAll
  static void start() {
    decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    dlq = KafkaBrokerExtension.uniqueTopic("dlq");
    KAFKA.createTopics(4, decisions, dlq);
    collector =
        new Collector(
            KAFKA.bootstrapServers(), decisions, dlq, Map.of("collector.body-limit", "1MiB"));
  }

  @AfterAll
  static void stop() {
    collector.close();
  }

  /** Eight different ways to get an event wrong; the expected pointer of each. */
  static final List<String> BROKEN_POINTERS =
      List.of(
          "/event_id",
          "/decision",
          "/session",
          "(event)",
          "/reason_code",
          "/occurred_at",
          "/tool",
          "/attributes/retries");

  static String broken(AuthzEvent e, int kind) throws Exception {
    ObjectNode n = (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(e));
    switch (kind) {
      case 0 -> n.remove("event_id");
      case 1 -> n.put("decision", "maybe");
      case 2 -> n.put("session", "sticky-42");
      case 3 -> {
        return "{\"schema\":\"mcp.authz/v1\",\"event_id\":\"" + e.eventId() + "\",";
      }
      case 4 -> n.put("decision", "allow").put("reason_code", "HANDLE_REVOKED");
      case 5 -> n.put("occurred_at", "2099-01-01T00:00:00Z");
      case 6 -> n.remove("tool");
      default -> n.putObject("attributes").put("retries", 3);
    }
    return EventCodec.mapper().writeValueAsString(n);
  }

  @Test
  void tenThousandEventsInBatchesOfFiveHundredLandExactlyWhereTheyBelong() throws Exception {
    // Own topics: the other tests of this class reject events too.
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    String dlq = KafkaBrokerExtension.uniqueTopic("dlq");
    KAFKA.createTopics(4, decisions, dlq);
    try (Collector collector = new Collector(KAFKA.bootstrapServers(), decisions, dlq, Map.of())) {
      tenThousand(collector, decisions, dlq);
    }
  }

  private void tenThousand(Collector collector, String decisions, String dlq) throws Exception {
    SyntheticEvents gen = new SyntheticEvents(2026, Instant.now().minus(Duration.ofHours(3)));
    Set<String> validIds = new HashSet<>();
    Map<String, String> brokenById = new HashMap<>();
    int brokenCount = 0;
    for (int batch = 0; batch < 20; batch++) {
      StringBuilder body = new StringBuilder();
      Map<Integer, String> expectedPointer = new HashMap<>();
      for (int i = 0; i < 500; i++) {
        AuthzEvent e = gen.next();
        int n = batch * 500 + i;
        if (n % 100 < 3) { // 3%
          int kind = brokenCount++ % BROKEN_POINTERS.size();
          String line = broken(e, kind);
          body.append(line).append('\n');
          expectedPointer.put(i, BROKEN_POINTERS.get(kind));
          brokenById.put(e.eventId(), line);
        } else {
          body.append(EventCodec.encodeToString(e)).append('\n');
          validIds.add(e.eventId());
        }
      }
      HttpResponse<String> r = collector.ndjson(body.toString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      JsonNode answer = EventCodec.mapper().readTree(r.body());
      assertThat(answer.get("accepted").asInt()).isEqualTo(500 - expectedPointer.size());
      Map<Integer, String> gotPointer = new HashMap<>();
      for (JsonNode rej : answer.get("rejected")) {
        JsonNode first = rej.get("errors").get(0);
        assertThat(first.get("message").asText()).isNotBlank();
        assertThat(first.get("rule").asText()).isNotBlank();
        String pointer = first.get("pointer").asText();
        gotPointer.put(rej.get("index").asInt(), pointer.isEmpty() ? "(event)" : pointer);
      }
      assertThat(gotPointer).isEqualTo(expectedPointer);
    }
    assertThat(brokenCount).isEqualTo(300);

    List<ConsumerRecord<String, byte[]>> onTopic =
        TopicReader.readAll(
            KAFKA.bootstrapServers(), decisions, validIds.size(), Duration.ofSeconds(60));
    List<AuthzEvent> events = onTopic.stream().map(r -> codec.decodeOrThrow(r.value())).toList();
    assertThat(events).hasSize(validIds.size());
    assertThat(events.stream().map(AuthzEvent::eventId).collect(Collectors.toSet()))
        .isEqualTo(validIds);
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.source().authenticated()).isEqualTo("gateway-eu");
              assertThat(e.receivedAt()).isNotNull();
            });

    List<ConsumerRecord<String, byte[]>> dead =
        TopicReader.readAll(
            KAFKA.bootstrapServers(), dlq, brokenById.size(), Duration.ofSeconds(60));
    Map<String, String> errorByBody = new HashMap<>();
    for (ConsumerRecord<String, byte[]> d : dead) {
      errorByBody.put(
          new String(d.value(), StandardCharsets.UTF_8),
          new String(d.headers().lastHeader(Topics.HEADER_ERROR).value(), StandardCharsets.UTF_8));
      assertThat(d.headers().lastHeader(Topics.HEADER_ERROR_AT)).isNotNull();
      assertThat(d.headers().lastHeader(Topics.HEADER_TRUNCATED)).isNull();
      assertThat(
              new String(
                  d.headers().lastHeader(Topics.HEADER_SOURCE).value(), StandardCharsets.UTF_8))
          .isEqualTo("collector/gateway-eu");
    }
    assertThat(dead).hasSize(brokenById.size());
    assertThat(errorByBody.keySet()).isEqualTo(new HashSet<>(brokenById.values()));
    assertThat(errorByBody.values()).allMatch(err -> err.contains(": "));
  }

  @Test
  void jsonObjectsArraysAndGzipAreAccepted() throws Exception {
    SyntheticEvents gen = new SyntheticEvents(31, Instant.now().minus(Duration.ofHours(1)));
    AuthzEvent one = gen.next();
    HttpResponse<String> r =
        collector.post(
            Collector.GATEWAY_TOKEN,
            "application/json; charset=utf-8",
            EventCodec.encode(one),
            null);
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(r.body())
        .isEqualTo("{\"accepted\":1,\"rejected_total\":0,\"rejected\":[],\"rejected_omitted\":0}");

    String array =
        "["
            + EventCodec.encodeToString(gen.next())
            + ",{\"schema\":\"mcp.authz/v1\"},"
            + EventCodec.encodeToString(gen.next())
            + "]";
    r =
        collector.post(
            Collector.GATEWAY_TOKEN,
            "application/json",
            Collector.gzip(array.getBytes(StandardCharsets.UTF_8)),
            "gzip");
    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode answer = EventCodec.mapper().readTree(r.body());
    assertThat(answer.get("accepted").asInt()).isEqualTo(2);
    assertThat(answer.get("rejected").get(0).get("index").asInt()).isEqualTo(1);
    assertThat(answer.get("rejected").get(0).get("errors").size()).isGreaterThan(3);
  }

  @Test
  void aSourceCannotClaimAnotherSourcesIdentity() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("spoof");
    KAFKA.createTopics(1, topic);
    try (Collector c = new Collector(KAFKA.bootstrapServers(), topic, dlq, Map.of())) {
      ObjectNode e =
          (ObjectNode)
              EventCodec.mapper()
                  .readTree(EventCodec.encode(new SyntheticEvents(8, Instant.now()).next()));
      ((ObjectNode) e.get("source")).put("authenticated", "gateway-eu");
      e.put("received_at", "2020-01-01T00:00:00Z");
      HttpResponse<String> r =
          c.post(
              Collector.OTHER_TOKEN,
              "application/json",
              EventCodec.mapper().writeValueAsBytes(e),
              null);
      assertThat(r.statusCode()).isEqualTo(202);
      assertThat(r.body()).contains("\"accepted\":1");
      AuthzEvent landed =
          codec.decodeOrThrow(
              TopicReader.readAll(KAFKA.bootstrapServers(), topic, 1, Duration.ofSeconds(30))
                  .get(0)
                  .value());
      assertThat(landed.source().authenticated()).isEqualTo("gateway-us");
      assertThat(landed.receivedAt()).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
    }
  }

  @Test
  void withoutAValidTokenNothingIsRead() {
    byte[] body = EventCodec.encode(new SyntheticEvents(9, Instant.now()).next());
    for (String token : new String[] {null, "", "not-a-token", Collector.GATEWAY_TOKEN + "x"}) {
      HttpResponse<String> r = collector.post(token, "application/json", body, null);
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      assertThat(r.body()).contains("\"status\":401").doesNotContain(Collector.GATEWAY_TOKEN);
    }
  }

  @Test
  void wrongTypesEncodingsAndSizesGetTheirOwnStatus() {
    byte[] event = EventCodec.encode(new SyntheticEvents(10, Instant.now()).next());
    assertThat(collector.post(Collector.GATEWAY_TOKEN, "text/plain", event, null).statusCode())
        .isEqualTo(415);
    assertThat(collector.post(Collector.GATEWAY_TOKEN, null, event, null).statusCode())
        .isEqualTo(415);
    assertThat(
            collector
                .post(Collector.GATEWAY_TOKEN, "application/json; charset=iso-8859-1", event, null)
                .statusCode())
        .isEqualTo(415);
    assertThat(
            collector.post(Collector.GATEWAY_TOKEN, "application/json", event, "br").statusCode())
        .isEqualTo(415);

    byte[] big = new byte[(1 << 20) + 10];
    java.util.Arrays.fill(big, (byte) ' ');
    HttpResponse<String> tooBig =
        collector.post(Collector.GATEWAY_TOKEN, "application/x-ndjson", big, null);
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(tooBig.body()).contains("larger than 1048576 bytes");
    // A gzip bomb: 32 KiB on the wire, 8 MiB inflated.
    byte[] bomb = Collector.gzip(new byte[8 << 20]);
    assertThat(bomb.length).isLessThan(64 * 1024);
    assertThat(
            collector
                .post(Collector.GATEWAY_TOKEN, "application/x-ndjson", bomb, "gzip")
                .statusCode())
        .isEqualTo(413);

    HttpResponse<String> notGzip =
        collector.post(Collector.GATEWAY_TOKEN, "application/json", event, "gzip");
    assertThat(notGzip.statusCode()).isEqualTo(400);
    assertThat(notGzip.body()).contains("not valid gzip");
    HttpResponse<String> notJson =
        collector.post(
            Collector.GATEWAY_TOKEN,
            "application/json",
            "{\"schema\":".getBytes(StandardCharsets.UTF_8),
            null);
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).contains("not valid JSON", "x-ndjson");
    assertThat(
            collector
                .post(
                    Collector.GATEWAY_TOKEN,
                    "application/x-ndjson",
                    "\n \n".getBytes(StandardCharsets.UTF_8),
                    null)
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void malformedRequestsDoNotDisturbTheRequestsBesideThem() throws Exception {
    SyntheticEvents gen = new SyntheticEvents(404, Instant.now().minus(Duration.ofHours(1)));
    List<List<AuthzEvent>> batches = new ArrayList<>();
    for (int b = 0; b < 40; b++) {
      List<AuthzEvent> batch = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        batch.add(gen.next());
      }
      batches.add(batch);
    }
    byte[] garbageGzip = new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3};
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<Integer>> good = new ArrayList<>();
      List<Future<Integer>> bad = new ArrayList<>();
      for (List<AuthzEvent> batch : batches) {
        String body =
            batch.stream().map(EventCodec::encodeToString).collect(Collectors.joining("\n"));
        good.add(pool.submit(() -> collector.ndjson(body).statusCode()));
        bad.add(
            pool.submit(
                () ->
                    collector
                        .post(Collector.GATEWAY_TOKEN, "application/json", garbageGzip, "gzip")
                        .statusCode()));
        bad.add(
            pool.submit(
                () ->
                    collector
                        .post(
                            Collector.GATEWAY_TOKEN,
                            "application/json",
                            "[{\"a\":".getBytes(StandardCharsets.UTF_8),
                            null)
                        .statusCode()));
        bad.add(
            pool.submit(
                () ->
                    collector
                        .post("stolen", "application/json", new byte[100], null)
                        .statusCode()));
      }
      for (Future<Integer> f : good) {
        assertThat(f.get()).isEqualTo(202);
      }
      for (Future<Integer> f : bad) {
        assertThat(f.get()).isIn(400, 401);
      }
    }
    Set<String> expected =
        batches.stream().flatMap(List::stream).map(AuthzEvent::eventId).collect(Collectors.toSet());
    Set<String> landed =
        TopicReader.readAll(KAFKA.bootstrapServers(), decisions, 0, Duration.ofSeconds(5)).stream()
            .map(r -> codec.decodeOrThrow(r.value()).eventId())
            .filter(expected::contains)
            .collect(Collectors.toSet());
    assertThat(landed).isEqualTo(expected);
  }

  @Test
  void anItemLargerThanKafkasRequestLimitIsRejectedAndItsBatchStillAcknowledged() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("decisions");
    String deadTopic = KafkaBrokerExtension.uniqueTopic("dlq");
    KAFKA.createTopics(1, topic, deadTopic);
    // Kafka's max.request.size is 1 MiB: a dead letter copied whole at 3 MiB could never be sent.
    int hugeLength = 3 << 20;
    StringBuilder huge = new StringBuilder("{\"schema\":\"mcp.authz/v1\",\"reason\":\"");
    while (huge.length() < hugeLength - 2) {
      huge.append("ab");
    }
    huge.setLength(hugeLength - 2);
    huge.append("\"}");
    byte[] hugeBytes = huge.toString().getBytes(StandardCharsets.UTF_8);
    AuthzEvent good = new SyntheticEvents(77, Instant.now().minus(Duration.ofMinutes(5))).next();
    try (Collector c =
        new Collector(
            KAFKA.bootstrapServers(), topic, deadTopic, Map.of("collector.body-limit", "8MiB"))) {
      HttpResponse<String> r = c.ndjson(EventCodec.encodeToString(good) + "\n" + huge + "\n");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      JsonNode answer = EventCodec.mapper().readTree(r.body());
      assertThat(answer.get("accepted").asInt()).isEqualTo(1);
      assertThat(answer.get("rejected").get(0).get("index").asInt()).isEqualTo(1);
      assertThat(answer.get("rejected").get(0).get("errors").toString())
          .contains("bytes; at most 16384");

      // A body that is not JSON at all, over the limit too: a 400, not a 503 to retry forever.
      byte[] notJson = new byte[2 << 20];
      java.util.Arrays.fill(notJson, (byte) '[');
      HttpResponse<String> bad = c.post(Collector.GATEWAY_TOKEN, "application/json", notJson, null);
      assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);

      assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic, 1, Duration.ofSeconds(30)))
          .singleElement()
          .satisfies(
              rec ->
                  assertThat(codec.decodeOrThrow(rec.value()).eventId()).isEqualTo(good.eventId()));
      List<ConsumerRecord<String, byte[]>> dead =
          TopicReader.readAll(KAFKA.bootstrapServers(), deadTopic, 2, Duration.ofSeconds(30));
      assertThat(dead).hasSize(2);
      assertTruncatedCopyOf(dead.get(0), hugeBytes);
      assertThat(header(dead.get(0), Topics.HEADER_ERROR))
          .contains("(event): event is " + hugeLength + " bytes");
      assertTruncatedCopyOf(dead.get(1), notJson);
      assertThat(header(dead.get(1), Topics.HEADER_ERROR)).contains("not valid JSON");
    }
  }

  private static void assertTruncatedCopyOf(ConsumerRecord<String, byte[]> dead, byte[] original)
      throws Exception {
    assertThat(dead.value())
        .hasSize(DeadLetter.MAX_VALUE_BYTES)
        .isEqualTo(java.util.Arrays.copyOf(original, DeadLetter.MAX_VALUE_BYTES));
    assertThat(header(dead, Topics.HEADER_TRUNCATED))
        .isEqualTo("first 65536 of " + original.length + " bytes kept");
    assertThat(header(dead, Topics.HEADER_ORIGINAL_LENGTH))
        .isEqualTo(Integer.toString(original.length));
    assertThat(header(dead, Topics.HEADER_ORIGINAL_SHA256))
        .isEqualTo(
            java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(original)));
    assertThat(header(dead, Topics.HEADER_SOURCE)).isEqualTo("collector/gateway-eu");
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void healthAndMetricsNeedNoToken() {
    assertThat(collector.get("/health/live").statusCode()).isEqualTo(200);
    assertThat(collector.get("/health/ready").body()).contains("ready");
    collector.ndjson(EventCodec.encodeToString(new SyntheticEvents(12, Instant.now()).next()));
    String metrics = collector.get("/metrics").body();
    assertThat(metrics)
        .contains(
            "mcp_audit_collector_events_accepted_total",
            "mcp_audit_collector_requests_total{status=\"202\"}");
    var families = PrometheusText.parse(metrics);
    assertThat(families)
        .containsKeys(
            "mcp_audit_collector_requests_total", "mcp_audit_collector_events_rejected_total");
    assertThat(PrometheusText.withoutHelpOrType(families, "mcp_audit_")).isEmpty();
    HttpResponse<String> missing = collector.get("/v1/nothing");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(missing.body()).contains("\"status\":404", "/v1/nothing");
  }
}
