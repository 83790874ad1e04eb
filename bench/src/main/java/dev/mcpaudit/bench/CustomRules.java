package dev.mcpaudit.bench;

import dev.mcpaudit.kafka.client.CompactedTopic;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.rules.CustomRule;
import dev.mcpaudit.rules.RuleCodec;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Analysts' rules for the detector bench: N rules over the synthetic traffic's three tenants, of
 * five shapes an analyst writes (denies of one tool per actor, heavy use of a server per actor and
 * tool, a deny reason per gateway, refused tools by prefix per user, slow calls of a server), and
 * one probe rule that raises on every probe event, so its send → alert can be timed. Written
 * unstamped: the bench's detector has no stamp keys, so it takes them (and says so in its log).
 */
final class CustomRules {
  private static final List<String> TOOLS = SyntheticEvents.TOOLS;
  private static final List<String> SERVERS = SyntheticEvents.SERVERS;
  private static final List<String> CODES = SyntheticEvents.DENY_CODES.subList(0, 4);

  private CustomRules() {}

  static void publish(String bootstrap, String topic, int n) throws Exception {
    KafkaClients kafka = KafkaClients.plain(bootstrap);
    CompactedTopic.ensure(kafka, "bench", topic, (short) 1, "alert rules");
    try (KafkaProducer<byte[], byte[]> p =
        new KafkaProducer<>(
            kafka.producer("bench-rules", Map.of()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      for (CustomRule r : rules(n)) {
        send(p, topic, r);
      }
      send(
          p,
          topic,
          rule(
              "bench-probe",
              "tenant-0",
              "tool.name:bench_probe",
              List.of("actor.id"),
              1,
              60,
              Duration.ofSeconds(1)));
      p.flush();
    }
    System.out.printf("detector: published %d custom rules (+1 probe rule) to %s%n", n, topic);
  }

  private static void send(KafkaProducer<byte[], byte[]> p, String topic, CustomRule r)
      throws Exception {
    p.send(new ProducerRecord<>(topic, r.id().getBytes(StandardCharsets.UTF_8), RuleCodec.bytes(r)))
        .get();
  }

  /** The bench's {@code n} rules, without the probe rule. */
  static List<CustomRule> rules(int n) {
    List<CustomRule> out = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(rule(i));
    }
    return out;
  }

  private static CustomRule rule(int i) {
    String tenant = "tenant-" + (i % 3);
    String tool = TOOLS.get(i % TOOLS.size());
    String server = SERVERS.get(i % SERVERS.size());
    return switch (i % 5) {
      case 0 ->
          rule("r" + i, tenant, "decision:deny AND tool.name:" + tool, List.of("actor.id"), 5, 60);
      case 1 ->
          rule(
              "r" + i,
              tenant,
              "tool.server:" + server + " AND decision:allow",
              List.of("actor.id", "tool.name"),
              200,
              300);
      case 2 ->
          rule(
              "r" + i,
              tenant,
              "reason_code:" + CODES.get(i % CODES.size()),
              List.of("source.gateway"),
              50,
              120);
      case 3 ->
          rule(
              "r" + i,
              tenant,
              "tool.name:" + tool.substring(0, 4) + "* AND NOT decision:allow",
              List.of("actor.on_behalf_of"),
              10,
              600);
      default ->
          rule(
              "r" + i,
              tenant,
              "latency_us:[1900 TO 5000] AND tool.server:" + server,
              List.of(),
              100,
              60);
    };
  }

  private static CustomRule rule(
      String id, String tenant, String query, List<String> groupBy, int threshold, int window) {
    return rule(id, tenant, query, groupBy, threshold, window, Duration.ofMinutes(10));
  }

  private static CustomRule rule(
      String id,
      String tenant,
      String query,
      List<String> groupBy,
      int threshold,
      int window,
      Duration suppression) {
    return new CustomRule(
        id,
        "bench " + id,
        tenant,
        query,
        groupBy,
        threshold,
        Duration.ofSeconds(window),
        Severity.MEDIUM,
        suppression,
        List.of(),
        true,
        1,
        "bench",
        Instant.EPOCH,
        false);
  }

  /** Probe {@code i}: an allow of tool bench_probe by an actor of its own, at {@code at}. */
  static AuthzEvent probe(int i, Instant at) {
    return AuthzEvent.builder()
        .eventId("bench-probe-" + i)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant("tenant-0")
        .decision(Decision.ALLOW)
        .reasonCode("ALLOWED")
        .actor(new Actor("spiffe://example.org/agent/probe-" + i, ActorType.AGENT, null, null))
        .tool(new Tool("bench", "bench_probe", "tools/call", null))
        .request(new RequestInfo("req-probe-" + i, "nonce-probe-" + i, null, null, null))
        .source(new Source("gw-bench", "w-0", null, null))
        .build();
  }
}
