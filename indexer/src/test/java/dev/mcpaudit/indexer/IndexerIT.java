package dev.mcpaudit.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Kafka to Lucene through a real broker: duplicates, poison, restarts, near-real-time. */
class IndexerIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final int PARTITIONS = 4;

  @TempDir Path data;

  IndexerConfig config(String decisions, String dlq) {
    return IndexerConfig.from(
        Settings.of(
            TestStamps.with(
                Map.of(
                    "indexer.data-dir",
                    data.toString(),
                    "kafka.bootstrap-servers",
                    KAFKA.bootstrapServers(),
                    "topics.decisions",
                    decisions,
                    "topics.dead-letter",
                    dlq,
                    "indexer.group-id",
                    "indexer-" + decisions,
                    "indexer.commit-interval",
                    "1s"))));
  }

  static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            KAFKA.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4",
            ProducerConfig.LINGER_MS_CONFIG,
            10,
            ProducerConfig.BATCH_SIZE_CONFIG,
            256 * 1024),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  static Map<String, Long> endOffsets(String topic) throws Exception {
    return TopicReader.endOffsets(KAFKA.bootstrapServers(), topic);
  }

  @Test
  void twoHundredThousandEventsWithDuplicatesAndPoisonIndexExactlyTheUniqueValidOnes()
      throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    String dlq = decisions + ".dlq";
    KAFKA.createTopics(PARTITIONS, decisions, dlq);
    SyntheticEvents gen = new SyntheticEvents(200, Instant.now().minus(Duration.ofDays(2)));
    SplittableRandom random = new SplittableRandom(1);
    Set<String> unique = new HashSet<>();
    List<AuthzEvent> sent = new ArrayList<>();
    List<byte[]> poison = new ArrayList<>();
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int i = 0; i < 200_000; i++) {
        AuthzEvent e = gen.next();
        sent.add(e);
        unique.add(e.eventId());
        acks.add(
            producer.send(new ProducerRecord<>(decisions, e.partitionKey(), EventCodec.encode(e))));
        if (i % 100 == 50) { // 1% re-published: the same event again, later
          AuthzEvent again = sent.get(random.nextInt(sent.size()));
          acks.add(
              producer.send(
                  new ProducerRecord<>(decisions, again.partitionKey(), EventCodec.encode(again))));
        }
        if (i % 200
            == 100) { // 0.5% poison, alternating bytes that are not JSON and events that break the
          // contract
          byte[] bad =
              (i / 200) % 2 == 0
                  ? ("\u0000\u0001not json " + i).getBytes(StandardCharsets.UTF_8)
                  : EventCodec.encodeToString(e)
                      .replace("\"kind\":\"decision\"", "\"kind\":\"verdict\"")
                      .replace(e.eventId(), "poison-" + i)
                      .getBytes(StandardCharsets.UTF_8);
          poison.add(bad);
          acks.add(producer.send(new ProducerRecord<>(decisions, "poison-key-" + i, bad)));
        }
      }
      producer.flush();
      for (Future<RecordMetadata> a : acks) {
        a.get();
      }
    }
    assertThat(poison).hasSize(1_000);
    Map<String, Long> ends = endOffsets(decisions);
    assertThat(ends.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(200_000 + 2_000 + 1_000);

    IndexerConfig cfg = config(decisions, dlq);
    try (IndexerService indexer =
        IndexerService.embedded(cfg, new SimpleMeterRegistry(), Clock.systemUTC())) {
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> EventIndex.committedOffsetsOrEmpty(cfg.indexPath()).equals(ends));
      assertThat(indexer.health()).isEqualTo(Health.READY);
      indexer.searchers().maybeRefreshBlocking();
      IndexSearcher s = indexer.searchers().acquire();
      try {
        List<String> ids = EventIndex.eventIds(s.getIndexReader());
        assertThat(ids).hasSize(unique.size());
        assertThat(new HashSet<>(ids)).isEqualTo(unique);
      } finally {
        indexer.searchers().release(s);
      }
      assertThat(indexer.metrics().deadLetteredCount()).isEqualTo(1_000);
    }

    // Every partition was read to its end (none stalled on its poison) and the commit says so.
    assertThat(EventIndex.committedOffsets(cfg.indexPath())).isEqualTo(ends);
    List<String> committed = EventIndex.committedEventIds(cfg.indexPath());
    assertThat(committed).hasSize(unique.size());
    assertThat(new HashSet<>(committed)).isEqualTo(unique);

    List<ConsumerRecord<String, byte[]>> dead =
        TopicReader.readAll(KAFKA.bootstrapServers(), dlq, 1_000, Duration.ofSeconds(60));
    assertThat(dead).hasSize(1_000);
    Set<String> deadBodies = new HashSet<>();
    for (ConsumerRecord<String, byte[]> d : dead) {
      deadBodies.add(new String(d.value(), StandardCharsets.UTF_8));
      String error =
          new String(d.headers().lastHeader(Topics.HEADER_ERROR).value(), StandardCharsets.UTF_8);
      assertThat(error).containsAnyOf("malformed JSON", "/kind: must be one of");
      assertThat(
              new String(
                  d.headers().lastHeader(Topics.HEADER_SOURCE).value(), StandardCharsets.UTF_8))
          .startsWith("indexer/" + decisions);
    }
    assertThat(deadBodies)
        .containsExactlyInAnyOrderElementsOf(
            poison.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
  }

  @Test
  void restartResumesFromTheCommitAndNewEventsBecomeSearchableQuickly() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(PARTITIONS, decisions, decisions + ".dlq");
    SyntheticEvents gen = new SyntheticEvents(300, Instant.now().minus(Duration.ofHours(1)));
    IndexerConfig cfg = config(decisions, decisions + ".dlq");
    try (KafkaProducer<String, byte[]> producer = producer()) {
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < 5_000; i++) {
        AuthzEvent e = gen.next();
        acks.add(
            producer.send(new ProducerRecord<>(decisions, e.partitionKey(), EventCodec.encode(e))));
      }
      for (Future<RecordMetadata> a : acks) {
        a.get();
      }
      try (IndexerService indexer =
          IndexerService.embedded(cfg, new SimpleMeterRegistry(), Clock.systemUTC())) {
        await().atMost(Duration.ofMinutes(1)).until(() -> indexer.index().liveDocs() == 5_000);
      }
      assertThat(EventIndex.committedEventIds(cfg.indexPath())).hasSize(5_000);

      try (IndexerService indexer =
          IndexerService.embedded(cfg, new SimpleMeterRegistry(), Clock.systemUTC())) {
        assertThat(indexer.index().liveDocs()).isEqualTo(5_000);
        AuthzEvent late = gen.next();
        producer
            .send(new ProducerRecord<>(decisions, late.partitionKey(), EventCodec.encode(late)))
            .get();
        long acked = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(20))
            .until(
                () -> {
                  IndexSearcher s = indexer.searchers().acquire();
                  try {
                    return s.count(new TermQuery(new Term(IndexSchema.EVENT_ID, late.eventId())))
                        == 1;
                  } finally {
                    indexer.searchers().release(s);
                  }
                });
        System.out.printf("ack to searchable: %d ms%n", (System.nanoTime() - acked) / 1_000_000);
        // Nothing before the commit was read twice: the restart resumed at the committed offsets.
        assertThat(indexer.metrics().indexedCount()).isEqualTo(1);
        assertThat(indexer.index().liveDocs()).isEqualTo(5_001);
      }
    }
  }
}
