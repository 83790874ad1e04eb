package dev.mcpaudit.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.kafka.client.CompactedTopic;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whatever reaches the rules topic without the API counts for nothing: an unstamped rule, a rule
 * stamped by another role, a stamped record that is not a valid rule, one keyed other than its id,
 * and an older stamped version brought back (a replay) are all skipped and counted; the API's own
 * records make the book, deletions included.
 */
class RuleFeedIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

  private static CustomRule rule(String id, int threshold, int version) {
    return new CustomRule(
        id,
        "rule " + id,
        "acme",
        "decision:allow AND tool.name:delete_*",
        List.of("actor.id"),
        threshold,
        Duration.ofMinutes(10),
        Severity.HIGH,
        Duration.ofMinutes(10),
        List.of(),
        true,
        version,
        "root",
        Instant.parse("2026-11-20T10:00:00Z"),
        false);
  }

  @Test
  void onlyTheApisStampedNewerVersionsCount() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("rules");
    KafkaClients kafka = KafkaClients.plain(KAFKA.bootstrapServers());
    CompactedTopic.ensure(kafka, "test", topic, (short) 1, "alert rules");
    AtomicReference<RuleBook> seen = new AtomicReference<>(RuleBook.empty());
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                kafka.producer("rules-test", Map.of()),
                new ByteArraySerializer(),
                new ByteArraySerializer());
        RuleFeed feed =
            new RuleFeed(
                    kafka,
                    topic,
                    "rules-feed-test",
                    TestStamps.stamps(),
                    TermPolicy.DEFAULT,
                    seen::set)
                .start()) {
      // The API's: two rules, the first edited to version 2.
      send(producer, topic, "good", RuleCodec.bytes(rule("good", 3, 1)), StampKind.API);
      send(producer, topic, "other", RuleCodec.bytes(rule("other", 5, 1)), StampKind.API);
      send(producer, topic, "good", RuleCodec.bytes(rule("good", 4, 2)), StampKind.API);
      // Forgeries and replays.
      send(producer, topic, "forged", RuleCodec.bytes(rule("forged", 1, 1)), null);
      send(
          producer, topic, "detector", RuleCodec.bytes(rule("detector", 1, 1)), StampKind.DETECTOR);
      send(producer, topic, "junk", "{\"id\":\"junk\",\"query\":\"(\"}".getBytes(), StampKind.API);
      send(producer, topic, "elsewhere", RuleCodec.bytes(rule("good", 1, 9)), StampKind.API);
      send(producer, topic, "good", RuleCodec.bytes(rule("good", 1, 1)), StampKind.API);
      byte[] unstampedEdit = RuleCodec.bytes(rule("other", 1, 7));
      send(producer, topic, "other", unstampedEdit, null);
      // The API's deletion of "other".
      send(
          producer,
          topic,
          "other",
          RuleCodec.bytes(CustomRule.deletion(rule("other", 5, 1), "root", Instant.now())),
          StampKind.API);
      producer.flush();
      await().atMost(Duration.ofSeconds(30)).until(() -> feed.refused() == 6);
      await().atMost(Duration.ofSeconds(30)).until(() -> feed.applied() == 4);
      assertThat(feed.rules()).extracting(CustomRule::id).containsExactly("good");
      assertThat(feed.rule("good").orElseThrow().threshold()).isEqualTo(4);
      assertThat(feed.rule("other").orElseThrow().deleted()).isTrue();
      assertThat(seen.get().rule("good")).map(CustomRule::version).contains(2);
      assertThat(seen.get().size()).isEqualTo(1);
    }
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      String key,
      byte[] value,
      StampKind kind)
      throws Exception {
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    if (kind != null) {
      r.headers().add(TestStamps.header(kind, value));
    }
    producer.send(r).get();
  }
}
