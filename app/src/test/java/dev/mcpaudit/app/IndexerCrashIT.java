package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexer as a separate JVM (`mcp-audit indexer`), killed with SIGKILL three times at random
 * moments while 500,000 events stream in, with identical re-publications and conflicting versions
 * mixed in: after the last restart the index holds every unique event exactly once, each as its
 * first version. The evidence log is on: every checkpoint published to the checkpoints topic,
 * across the kills, is signed, has the root of the tree rebuilt from the stored records, and is
 * consistent with the latest checkpoint of its log.
 */
class IndexerCrashIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final int EVENTS = 500_000;
  static final int PARTITIONS = 4;

  @TempDir Path data;

  private dev.mcpaudit.schema.evidence.SigningKey evidenceKey;

  @Test
  void threeKillsWhileStreamingLoseAndDoubleNothing() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(PARTITIONS, topic, topic + ".dlq", topic + ".alerts");
    evidenceKey = dev.mcpaudit.schema.evidence.SigningKey.generate("mcp-audit-crash");
    Files.writeString(data.resolve("evidence.key"), evidenceKey.text());
    Set<String> unique = new HashSet<>();
    Map<String, byte[]> rewritten = new java.util.concurrent.ConcurrentHashMap<>();
    SplittableRandom random = new SplittableRandom(42);
    CompletableFuture<Void> stream =
        CompletableFuture.runAsync(() -> produce(topic, unique, rewritten));

    for (int kill = 1; kill <= 3; kill++) {
      Process indexer = startIndexer(topic, kill);
      // Let it get going (some commits, some uncommitted work), then pull the plug at a random
      // moment.
      awaitProgress(indexer);
      LockSupport.parkNanos(Duration.ofMillis(500 + random.nextInt(2_500)).toNanos());
      indexer.destroyForcibly(); // SIGKILL
      assertThat(indexer.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(indexer.exitValue()).isEqualTo(137);
    }
    stream.get(5, TimeUnit.MINUTES);
    Map<String, Long> ends = TopicReader.endOffsets(KAFKA.bootstrapServers(), topic);

    Process last = startIndexer(topic, 4);
    try {
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> EventIndex.committedOffsetsOrEmpty(data.resolve("index")).equals(ends));
      // The role's own listener: health and the metrics an operator watches.
      java.util.regex.Matcher ops =
          java.util.regex.Pattern.compile("ops=(127\\.0\\.0\\.1:\\d+)")
              .matcher(Files.readString(data.resolve("indexer-4.log")));
      assertThat(ops.find()).isTrue();
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String metrics =
          http.send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://" + ops.group(1) + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains(
              "mcp_audit_indexer_events_indexed_total",
              "mcp_audit_indexer_dead_lettered_total",
              "mcp_audit_indexer_consumer_lag{partition=\"" + topic + ":0\"}",
              "mcp_audit_indexer_commit_seconds",
              "mcp_audit_indexer_refresh_seconds",
              "mcp_audit_indexer_docs");
      assertThat(
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create("http://" + ops.group(1) + "/health/ready"))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
    } finally {
      last.destroy(); // SIGTERM: a clean stop this time
      assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    List<String> ids = EventIndex.committedEventIds(data.resolve("index"));
    assertThat(unique).hasSize(EVENTS);
    assertThat(ids).hasSize(EVENTS);
    assertThat(new HashSet<>(ids)).isEqualTo(unique);
    // Each rewritten event is still its first version, byte for byte.
    assertThat(rewritten).hasSizeGreaterThan(100);
    Map<String, byte[]> stored = storedSources(data.resolve("index"), rewritten.keySet());
    assertThat(stored).hasSameSizeAs(rewritten);
    rewritten.forEach(
        (id, first) ->
            assertThat(new String(stored.get(id), java.nio.charset.StandardCharsets.UTF_8))
                .as(id)
                .isEqualTo(new String(first, java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(Files.readString(data.resolve("indexer-4.log")))
        .contains("indexer assigned partitions");
    assertThat(
            CrashEvidence.checkAll(
                data.resolve("index"),
                KAFKA.bootstrapServers(),
                topic + ".checkpoints",
                evidenceKey,
                data))
        .isGreaterThan(PARTITIONS * 3 * 4);
  }

  /** The stored JSON of each of {@code ids} in the last commit of an index directory. */
  private static Map<String, byte[]> storedSources(Path index, Set<String> ids) throws Exception {
    Map<String, byte[]> out = new java.util.HashMap<>();
    try (org.apache.lucene.store.Directory dir = org.apache.lucene.store.FSDirectory.open(index);
        org.apache.lucene.index.DirectoryReader reader =
            org.apache.lucene.index.DirectoryReader.open(dir)) {
      org.apache.lucene.search.IndexSearcher searcher =
          new org.apache.lucene.search.IndexSearcher(reader);
      for (String id : ids) {
        org.apache.lucene.search.TopDocs hits =
            searcher.search(
                new org.apache.lucene.search.TermQuery(
                    new org.apache.lucene.index.Term(dev.mcpaudit.index.IndexSchema.EVENT_ID, id)),
                2);
        assertThat(hits.scoreDocs).as(id).hasSize(1);
        org.apache.lucene.util.BytesRef json =
            searcher
                .storedFields()
                .document(hits.scoreDocs[0].doc)
                .getBinaryValue(dev.mcpaudit.index.IndexSchema.SOURCE_JSON);
        out.put(
            id, java.util.Arrays.copyOfRange(json.bytes, json.offset, json.offset + json.length));
      }
    }
    return out;
  }

  private void produce(String topic, Set<String> unique, Map<String, byte[]> rewritten) {
    SyntheticEvents gen = new SyntheticEvents(500, Instant.now().minus(Duration.ofDays(1)));
    List<AuthzEvent> recent = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
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
                10),
            new StringSerializer(),
            new ByteArraySerializer())) {
      long start = System.nanoTime();
      for (int i = 0; i < EVENTS; i++) {
        AuthzEvent e = gen.next();
        synchronized (unique) {
          unique.add(e.eventId());
        }
        producer.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
        if (recent.size() < 1000) {
          recent.add(e);
        }
        if (i % 100 == 7) { // 1% re-published
          AuthzEvent again = recent.get(i % recent.size());
          producer.send(
              new ProducerRecord<>(topic, again.partitionKey(), EventCodec.encode(again)));
        }
        if (i % 200
            == 13) { // 0.5% rewritten: same record, other content, after the first version in its
          // partition
          AuthzEvent first = recent.get((i / 200) % recent.size());
          AuthzEvent other = first.toBuilder().receivedAt(null).reason("rewritten at " + i).build();
          rewritten.putIfAbsent(first.eventId(), EventCodec.encode(first));
          producer.send(
              new ProducerRecord<>(topic, other.partitionKey(), EventCodec.encode(other)));
        }
        // Pace the stream at ~25k events/s so the kills land while it flows.
        long due = start + i * 40_000L;
        long ahead = due - System.nanoTime();
        if (ahead > 1_000_000) {
          LockSupport.parkNanos(ahead);
        }
      }
      producer.flush();
    }
  }

  private Process startIndexer(String topic, int run) throws Exception {
    return CrashEvidence.startIndexer(
        data, KAFKA.bootstrapServers(), topic, "crash-" + topic, run, List.of());
  }

  /** Waits until the running indexer committed something new (it is up and indexing). */
  private void awaitProgress(Process indexer) {
    long before =
        EventIndex.committedOffsetsOrEmpty(data.resolve("index")).values().stream()
            .mapToLong(Long::longValue)
            .sum();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              assertThat(indexer.isAlive()).as("indexer process alive").isTrue();
              return EventIndex.committedOffsetsOrEmpty(data.resolve("index")).values().stream()
                      .mapToLong(Long::longValue)
                      .sum()
                  > before;
            });
  }
}
