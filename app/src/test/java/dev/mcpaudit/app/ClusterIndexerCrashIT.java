package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexer as a separate JVM writing to a real OpenSearch node, killed with SIGKILL three times
 * at random moments while 140,000 events stream in, with identical re-publications and conflicting
 * versions mixed in: after the last restart the cluster holds every unique event exactly once, each
 * as its first version, although the offsets live in Kafka's group and the documents in another
 * system. The evidence log is on: every record is in its log once, every checkpoint published
 * across the kills is consistent with its log's latest, and proofs of sampled records, answered by
 * the API from the cluster, verify.
 */
class ClusterIndexerCrashIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final int EVENTS = 140_000;
  static final int PARTITIONS = 4;

  @TempDir Path data;

  private dev.mcpaudit.schema.evidence.SigningKey evidenceKey;

  @Test
  void threeKillsWhileStreamingIntoTheClusterLoseAndDoubleNothing() throws Exception {
    OpenSearchNode node = OpenSearchNode.shared();
    String topic = KafkaBrokerExtension.uniqueTopic("os-crash");
    String group = "crash-" + topic;
    String prefix = "crash-" + topic.toLowerCase(java.util.Locale.ROOT);
    KAFKA.createTopics(PARTITIONS, topic, topic + ".dlq", topic + ".alerts");
    evidenceKey = dev.mcpaudit.schema.evidence.SigningKey.generate("mcp-audit-crash");
    java.nio.file.Files.writeString(data.resolve("evidence.key"), evidenceKey.text());
    Map<String, AuthzEvent> firsts = new ConcurrentHashMap<>();
    Map<String, AuthzEvent> rewritten = new ConcurrentHashMap<>();
    SplittableRandom random = new SplittableRandom(43);
    CompletableFuture<Void> stream =
        CompletableFuture.runAsync(() -> produce(topic, firsts, rewritten));

    for (int kill = 1; kill <= 3; kill++) {
      Process indexer = startIndexer(topic, group, prefix, node, kill);
      awaitProgress(indexer, topic, group, kill);
      LockSupport.parkNanos(Duration.ofMillis(500 + random.nextInt(2_500)).toNanos());
      indexer.destroyForcibly(); // SIGKILL
      assertThat(indexer.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(indexer.exitValue()).isEqualTo(137);
    }
    stream.get(5, TimeUnit.MINUTES);
    Map<String, Long> ends = TopicReader.endOffsets(KAFKA.bootstrapServers(), topic);

    Process last = startIndexer(topic, group, prefix, node, 4);
    try {
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> committed(topic, group).equals(ends));
    } finally {
      last.destroy(); // SIGTERM: a clean stop this time
      assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    OpenSearchSettings settings =
        OpenSearchSettings.from(
            Settings.of(Map.of("opensearch.hosts", node.url(), "opensearch.index-prefix", prefix)));
    IndexNames names = new IndexNames(prefix);
    try (Cluster cluster = Cluster.connect(settings)) {
      cluster.call("POST", "/" + names.decisionsPattern() + "/_refresh", null);
      Map<String, Long> expected = new HashMap<>();
      firsts
          .values()
          .forEach(e -> expected.merge(names.decisionsIndex(e.occurredAt()), 1L, Long::sum));
      Map<String, Long> actual = new HashMap<>();
      for (JsonNode row :
          cluster.call(
              "GET",
              "/_cat/indices/" + names.decisionsPattern() + "?format=json&h=index,docs.count",
              null)) {
        actual.put(row.path("index").asText(), row.path("docs.count").asLong());
      }
      assertThat(firsts).hasSize(EVENTS);
      assertThat(actual)
          .as("every unique event once (ids are derived from event ids), in the index of its day")
          .isEqualTo(expected);
      // Each rewritten event is still its first version.
      assertThat(rewritten).hasSizeGreaterThan(100);
      for (Map.Entry<String, AuthzEvent> r : rewritten.entrySet()) {
        AuthzEvent first = r.getValue();
        JsonNode doc =
            cluster.call(
                "GET",
                "/"
                    + names.decisionsIndex(first.occurredAt())
                    + "/_doc/"
                    + IndexNames.documentId(first.tenant(), first.eventId()),
                null);
        assertThat(doc.path("_source").path("event"))
            .as(r.getKey())
            .isEqualTo(EventCodec.mapper().readTree(EventCodec.encode(first)));
      }
      assertThat(
              CrashEvidence.checkCluster(
                  cluster,
                  KAFKA.bootstrapServers(),
                  topic + ".checkpoints",
                  evidenceKey,
                  settings,
                  new java.util.ArrayList<>(firsts.values()),
                  data))
          .isGreaterThanOrEqualTo(PARTITIONS * 3);
    }
  }

  private void produce(
      String topic, Map<String, AuthzEvent> firsts, Map<String, AuthzEvent> rewritten) {
    SyntheticEvents gen = new SyntheticEvents(501, Instant.now().minus(Duration.ofDays(1)));
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
        firsts.put(e.eventId(), e);
        producer.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
        if (recent.size() < 1000) {
          recent.add(e);
        }
        if (i % 100 == 7) { // 1% re-published
          AuthzEvent again = recent.get(i % recent.size());
          producer.send(
              new ProducerRecord<>(topic, again.partitionKey(), EventCodec.encode(again)));
        }
        if (i % 200 == 13) { // 0.5% rewritten: same record, other content, after the first version
          AuthzEvent first = recent.get((i / 200) % recent.size());
          AuthzEvent other = first.toBuilder().receivedAt(null).reason("rewritten at " + i).build();
          rewritten.putIfAbsent(first.eventId(), first);
          producer.send(
              new ProducerRecord<>(topic, other.partitionKey(), EventCodec.encode(other)));
        }
        // Pace the stream at ~7k events/s so the kills land while it flows (20 s).
        long ahead = start + i * 142_857L - System.nanoTime();
        if (ahead > 1_000_000) {
          LockSupport.parkNanos(ahead);
        }
      }
      producer.flush();
    }
  }

  private Process startIndexer(
      String topic, String group, String prefix, OpenSearchNode node, int run) throws Exception {
    return CrashEvidence.startIndexer(
        data,
        KAFKA.bootstrapServers(),
        topic,
        group,
        run,
        List.of(
            "index.backend=opensearch",
            "opensearch.hosts=" + node.url(),
            "opensearch.index-prefix=" + prefix,
            "opensearch.replicas=0"));
  }

  /** The group's committed offsets, keyed {@code topic:partition}. */
  private static Map<String, Long> committed(String topic, String group) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<String, Long> out = new HashMap<>();
      offsets.forEach(
          (tp, o) -> {
            if (o != null && tp.topic().equals(topic)) {
              out.put(tp.topic() + ":" + tp.partition(), o.offset());
            }
          });
      return out;
    }
  }

  /** Waits until the running indexer committed something new (it is up and indexing). */
  private void awaitProgress(Process indexer, String topic, String group, int run)
      throws Exception {
    long before = committed(topic, group).values().stream().mapToLong(Long::longValue).sum();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              if (!indexer.isAlive()) {
                java.util.List<String> lines =
                    java.nio.file.Files.readAllLines(data.resolve("indexer-" + run + ".log"));
                throw new AssertionError(
                    "the indexer process ended; the end of its log:\n"
                        + String.join(
                            "\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
              }
              return committed(topic, group).values().stream().mapToLong(Long::longValue).sum()
                  > before;
            });
  }
}
