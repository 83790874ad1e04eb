package dev.mcpaudit.collector.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A source token in hostile hands sends junk that compresses well: the collector refuses a batch
 * past its item cap before holding its items, and junk it does take never turns into as many dead
 * letters, or as long an answer, as it has lines.
 */
class BatchLimitsIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

  @Test
  void aGzipBombOfLinesIsRefusedWholeNamingTheCap() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    String dlq = KafkaBrokerExtension.uniqueTopic("dlq");
    KAFKA.createTopics(1, decisions, dlq);
    try (Collector c = new Collector(KAFKA.bootstrapServers(), decisions, dlq, Map.of())) {
      byte[] lines = "x\n".repeat(5_000_000).getBytes(StandardCharsets.US_ASCII);
      byte[] gz = Collector.gzip(lines);
      assertThat(gz.length).isLessThan(12 * 1024);
      var r = c.post(Collector.GATEWAY_TOKEN, "application/x-ndjson", gz, "gzip");
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.body()).contains("more than 10000 events", "collector.max-batch-items");

      String array =
          Stream.generate(() -> "{}").limit(10_001).collect(Collectors.joining(",", "[", "]"));
      var a =
          c.post(
              Collector.GATEWAY_TOKEN,
              "application/json",
              array.getBytes(StandardCharsets.UTF_8),
              null);
      assertThat(a.statusCode()).isEqualTo(413);
      // Refused whole: nothing of either batch was kept or published.
      String probe = EventCodec.encodeToString(new SyntheticEvents(3, Instant.now()).next());
      assertThat(c.ndjson("x\n" + probe).statusCode()).isEqualTo(202);
      List<ConsumerRecord<String, byte[]>> dead =
          TopicReader.readAll(KAFKA.bootstrapServers(), dlq, 1, Duration.ofSeconds(30));
      assertThat(dead).hasSize(1);
      assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("x");
    }
  }

  /**
   * Seeded junk batches of every shape (lines, arrays, nesting, gzip, huge counts of tiny items):
   * each is answered with 202, 400 or 413, never a 5xx, with at most {@link
   * IngestResponse#MAX_LISTED} rejections listed, and the collector keeps answering.
   */
  @Test
  void junkBatchesOfAnyShapeGetABoundedAnswer() throws Exception {
    long seed = Long.getLong("fuzz.seed", new java.util.SplittableRandom().nextLong());
    System.out.println(
        "BatchLimitsIT: seed " + seed + " (run again with -Dfuzz.seed=" + seed + ")");
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    String dlq = KafkaBrokerExtension.uniqueTopic("dlq");
    KAFKA.createTopics(1, decisions, dlq);
    try (Collector c =
        new Collector(
            KAFKA.bootstrapServers(),
            decisions,
            dlq,
            Map.of("collector.max-batch-items", "5000"))) {
      for (int i = 0; i < 40; i++) {
        int items = r.nextInt(4) == 0 ? 5_000 + r.nextInt(50_000) : r.nextInt(3_000) + 1;
        String junk =
            switch (r.nextInt(5)) {
              case 0 -> "x";
              case 1 -> "{}";
              case 2 -> "[1]";
              case 3 -> "{\"schema\":\"mcp.authz/v1\"}";
              default -> "\"" + "y".repeat(r.nextInt(200)) + "\"";
            };
        boolean ndjson = r.nextBoolean();
        String body =
            ndjson
                ? Stream.generate(() -> junk).limit(items).collect(Collectors.joining("\n"))
                : Stream.generate(() -> junk)
                    .limit(items)
                    .collect(Collectors.joining(",", "[", "]"));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean gzip = r.nextBoolean();
        var resp =
            c.post(
                Collector.GATEWAY_TOKEN,
                ndjson ? "application/x-ndjson" : "application/json",
                gzip ? Collector.gzip(bytes) : bytes,
                gzip ? "gzip" : null);
        String what =
            "case "
                + i
                + " seed "
                + seed
                + ": "
                + items
                + " x "
                + junk.length()
                + " chars, ndjson "
                + ndjson
                + " -> "
                + resp.statusCode();
        assertThat(resp.statusCode()).as(what).isIn(202, 400, 413);
        if (items > 5_000) {
          assertThat(resp.statusCode()).as(what).isIn(400, 413);
        }
        if (resp.statusCode() == 202) {
          JsonNode answer = EventCodec.mapper().readTree(resp.body());
          assertThat(answer.get("rejected").size())
              .as(what)
              .isLessThanOrEqualTo(IngestResponse.MAX_LISTED);
          assertThat(answer.get("rejected_total").asInt() + answer.get("accepted").asInt())
              .as(what)
              .isEqualTo(items);
        }
      }
      assertThat(c.get("/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void junkLinesAreOneDeadLetterAndTheAnswerListsTheFirstHundred() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    String dlq = KafkaBrokerExtension.uniqueTopic("dlq");
    KAFKA.createTopics(1, decisions, dlq);
    try (Collector c =
        new Collector(
            KAFKA.bootstrapServers(),
            decisions,
            dlq,
            Map.of("collector.max-batch-items", "2000"))) {
      String event = EventCodec.encodeToString(new SyntheticEvents(4, Instant.now()).next());
      String body =
          event
              + "\n"
              + Stream.generate(() -> "junk").limit(1000).collect(Collectors.joining("\n"));
      var r = c.ndjson(body);
      assertThat(r.statusCode()).isEqualTo(202);
      JsonNode answer = EventCodec.mapper().readTree(r.body());
      assertThat(answer.get("accepted").asInt()).isEqualTo(1);
      assertThat(answer.get("rejected_total").asInt()).isEqualTo(1000);
      assertThat(answer.get("rejected")).hasSize(IngestResponse.MAX_LISTED);
      assertThat(answer.get("rejected_omitted").asInt()).isEqualTo(900);
      assertThat(answer.at("/rejected/0/index").asInt()).isEqualTo(1);

      List<ConsumerRecord<String, byte[]>> dead =
          TopicReader.readAll(KAFKA.bootstrapServers(), dlq, 1, Duration.ofSeconds(30));
      assertThat(dead)
          .singleElement()
          .satisfies(
              d -> {
                assertThat(new String(d.value(), StandardCharsets.UTF_8).lines())
                    .hasSize(1000)
                    .allMatch("junk"::equals);
                assertThat(
                        new String(
                            d.headers().lastHeader(Topics.HEADER_ERROR).value(),
                            StandardCharsets.UTF_8))
                    .startsWith("1000 of the batch's 1001 items are not JSON objects");
              });
      assertThat(
              TopicReader.readAll(KAFKA.bootstrapServers(), decisions, 1, Duration.ofSeconds(30)))
          .hasSize(1);
    }
  }
}
