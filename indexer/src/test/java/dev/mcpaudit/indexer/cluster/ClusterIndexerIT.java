package dev.mcpaudit.indexer.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexer writing to a real OpenSearch node (started by the test kit from Maven Central's
 * artifacts) from a real broker: daily indices by the event's own date, write-once across days,
 * duplicates and conflicts handled as with Lucene, refusals at start that say what is wrong.
 */
class ClusterIndexerIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final int PARTITIONS = 4;
  static final AtomicInteger PREFIXES = new AtomicInteger();

  @TempDir Path data;

  static Map<String, String> settings(
      Path data, String url, String topic, String prefix, Map<String, String> more) {
    Map<String, String> s = new HashMap<>();
    s.put("indexer.data-dir", data.toString());
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.decisions", topic);
    s.put("topics.dead-letter", topic + ".dlq");
    s.put("topics.alerts", topic + ".alerts");
    s.put("indexer.group-id", "indexer-" + topic);
    s.put("indexer.commit-interval", "1s");
    s.put("index.backend", "opensearch");
    s.put("opensearch.hosts", url);
    s.put("opensearch.index-prefix", prefix);
    s.put("opensearch.replicas", "0");
    s.putAll(more);
    return TestStamps.with(s);
  }

  static String prefix() {
    return "it"
        + PREFIXES.incrementAndGet()
        + "-"
        + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT);
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
            ProducerConfig.LINGER_MS_CONFIG,
            10),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  @Test
  void eachRecordOnceInTheIndexOfItsDayAndEveryLaterVersionJudged() throws Exception {
    OpenSearchNode node = OpenSearchNode.shared();
    String topic = KafkaBrokerExtension.uniqueTopic("os-decisions");
    KAFKA.createTopics(PARTITIONS, topic, topic + ".dlq", topic + ".alerts");
    String prefix = prefix();
    Instant start = Instant.now().minus(Duration.ofDays(3));
    // One event every 40 s of event time: 6,000 events span the last two and three-quarter days.
    SyntheticEvents gen = new SyntheticEvents(7, start, Duration.ofSeconds(40));
    IndexNames names = new IndexNames(prefix);
    List<AuthzEvent> sent = new ArrayList<>();
    Map<String, Long> perIndex = new TreeMap<>();
    List<String> sameDayConflicts = new ArrayList<>();
    List<String> otherDayConflicts = new ArrayList<>();
    int identical = 0;
    List<ProducerRecord<String, byte[]>> rewrites = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int i = 0; i < 6_000; i++) {
        AuthzEvent e = gen.next();
        sent.add(e);
        perIndex.merge(names.decisionsIndex(e.occurredAt()), 1L, Long::sum);
        producer.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
        if (i % 100 == 10) { // the same event again, same partition, later
          AuthzEvent again = sent.get(i / 2);
          producer.send(
              new ProducerRecord<>(topic, again.partitionKey(), EventCodec.encode(again)));
          identical++;
        }
        if (i % 300 == 20) { // another version, same day, another partition key
          AuthzEvent first = sent.get(i / 3);
          AuthzEvent other = first.toBuilder().reason("rewritten " + i).build();
          sameDayConflicts.add(first.eventId());
          rewrites.add(new ProducerRecord<>(topic, "elsewhere-" + i, EventCodec.encode(other)));
        }
        if (i % 600 == 30) { // another version moved to the day before, another partition key
          AuthzEvent first = sent.get(i / 4);
          AuthzEvent other =
              first.toBuilder().occurredAt(first.occurredAt().minus(Duration.ofDays(1))).build();
          otherDayConflicts.add(first.eventId());
          rewrites.add(new ProducerRecord<>(topic, "moved-" + i, EventCodec.encode(other)));
        }
      }
      producer.flush();
    }

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    IndexerConfig config =
        IndexerConfig.from(
            Settings.of(
                settings(data, node.url(), topic, prefix, Map.of("indexer.retention", "30d"))));
    int conflicts = sameDayConflicts.size() + otherDayConflicts.size();
    int repeats = identical;
    try (IndexerService indexer = IndexerService.embedded(config, registry, Clock.systemUTC());
        Cluster cluster = Cluster.connect(config.openSearch())) {
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  indexer.metrics().indexedCount() == 6_000
                      && indexer.metrics().identicalDuplicates() == repeats);
      // Later versions, read once the first ones are recorded (across partitions Kafka gives no
      // order): the same day, the day before, and one older than the retention.
      try (KafkaProducer<String, byte[]> producer = producer()) {
        rewrites.forEach(producer::send);
        AuthzEvent old = new SyntheticEvents(8, Instant.now().minus(Duration.ofDays(40))).next();
        producer.send(new ProducerRecord<>(topic, old.partitionKey(), EventCodec.encode(old)));
        producer.flush();
      }
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> indexer.metrics().conflictingDuplicates() == conflicts);
      assertThat(indexer.metrics().indexedCount()).isEqualTo(6_000);
      assertThat(indexer.health().ready()).isTrue();

      cluster.call("POST", "/" + names.decisionsPattern() + "/_refresh", null);
      Map<String, Long> actual = new TreeMap<>();
      for (JsonNode row :
          cluster.call(
              "GET",
              "/_cat/indices/" + names.decisionsPattern() + "?format=json&h=index,docs.count",
              null)) {
        actual.put(row.path("index").asText(), row.path("docs.count").asLong());
      }
      assertThat(actual)
          .as("one document per event, in the index of its own day")
          .isEqualTo(perIndex);

      // Every conflicting version left the first one in place: same day and moved alike.
      for (String id : concat(sameDayConflicts, otherDayConflicts)) {
        AuthzEvent first =
            sent.stream().filter(e -> e.eventId().equals(id)).findFirst().orElseThrow();
        JsonNode doc =
            cluster.call(
                "GET",
                "/"
                    + names.decisionsIndex(first.occurredAt())
                    + "/_doc/"
                    + IndexNames.documentId(first.tenant(), id),
                null);
        assertThat(doc.path("_source").path("event"))
            .as(id)
            .isEqualTo(EventCodec.mapper().readTree(EventCodec.encode(first)));
      }
      // The moved versions opened no document on the day before.
      for (String id : otherDayConflicts) {
        AuthzEvent first =
            sent.stream().filter(e -> e.eventId().equals(id)).findFirst().orElseThrow();
        Cluster.Reply moved =
            cluster.send(
                "GET",
                "/"
                    + names.decisionsIndex(first.occurredAt().minus(Duration.ofDays(1)))
                    + "/_doc/"
                    + IndexNames.documentId(first.tenant(), id),
                (byte[]) null);
        assertThat(moved.json().path("found").asBoolean(false)).as(id).isFalse();
      }

      // Dead letters: each conflicting version, and the event older than the retention.
      List<ConsumerRecord<String, byte[]>> letters =
          TopicReader.readAll(
              KAFKA.bootstrapServers(), topic + ".dlq", conflicts + 1, Duration.ofSeconds(60));
      assertThat(letters).hasSize(conflicts + 1);
      assertThat(
              letters.stream()
                  .map(
                      r ->
                          new String(
                              r.headers().lastHeader("error").value(), StandardCharsets.UTF_8))
                  .filter(e -> e.contains("older than indexer.retention (30d)")))
          .hasSize(1);

      // One CONFLICTING_DUPLICATE alert per conflicting record, in the cluster's alerts indices.
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                Cluster.Reply r =
                    cluster.send(
                        "GET",
                        "/" + names.alertsPattern() + "/_count?q=type:CONFLICTING_DUPLICATE",
                        (byte[]) null);
                return r.ok() && r.json().path("count").asLong() == conflicts;
              });
      assertThat(
              cluster
                  .call("GET", "/_index_template/" + names.decisionsTemplate(), null)
                  .path("index_templates")
                  .get(0)
                  .path("index_template")
                  .path("template")
                  .path("mappings")
                  .path("dynamic")
                  .asText())
          .isEqualTo("strict");
    }
  }

  @Test
  void wrongCredentialsStopTheIndexerAtStartSayingSo(@TempDir Path home) throws Exception {
    String user = "indexer";
    String password = "s3cret-" + Long.toHexString(System.nanoTime());
    String apiKey = "key-" + Long.toHexString(System.nanoTime());
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    Path good = Files.writeString(data.resolve("password"), password + "\n");
    Path bad = Files.writeString(data.resolve("wrong-password"), "not-" + password);
    Path key = Files.writeString(data.resolve("api-key"), apiKey);
    String topic = KafkaBrokerExtension.uniqueTopic("os-auth");
    KAFKA.createTopics(1, topic, topic + ".dlq", topic + ".alerts");
    try (OpenSearchNode node = OpenSearchNode.start(home, List.of(basic, "ApiKey " + apiKey))) {
      IndexerConfig wrong =
          IndexerConfig.from(
              Settings.of(
                  settings(
                      data,
                      node.url(),
                      topic,
                      prefix(),
                      Map.of(
                          "opensearch.username",
                          user,
                          "opensearch.password-file",
                          bad.toString()))));
      assertThatThrownBy(
              () -> IndexerService.embedded(wrong, new SimpleMeterRegistry(), Clock.systemUTC()))
          .isInstanceOf(ClusterException.class)
          .hasMessageContaining("refused the credentials (401, auth basic (user indexer))")
          .hasMessageNotContaining(password);

      for (Map<String, String> auth :
          List.of(
              Map.of("opensearch.username", user, "opensearch.password-file", good.toString()),
              Map.of("opensearch.api-key-file", key.toString()))) {
        String prefix = prefix();
        IndexerConfig right =
            IndexerConfig.from(Settings.of(settings(data, node.url(), topic, prefix, auth)));
        try (IndexerService indexer =
            IndexerService.embedded(right, new SimpleMeterRegistry(), Clock.systemUTC())) {
          assertThat(indexer.health().ready()).isTrue();
        }
        try (Cluster cluster = Cluster.connect(right.openSearch())) {
          assertThat(
                  cluster
                      .send("GET", "/_index_template/" + prefix + "-decisions", (byte[]) null)
                      .status())
              .as("the template was installed with " + auth.keySet())
              .isEqualTo(200);
        }
      }
    }
  }

  @Test
  void aClusterOutageIsWaitedOutWithReadinessFalseAndNothingIsLost(@TempDir Path home)
      throws Exception {
    OpenSearchNode node = OpenSearchNode.start(home);
    int port = node.httpPort();
    String topic = KafkaBrokerExtension.uniqueTopic("os-outage");
    KAFKA.createTopics(PARTITIONS, topic, topic + ".dlq", topic + ".alerts");
    String prefix = prefix();
    int total = 25_000;
    IndexerConfig config =
        IndexerConfig.from(Settings.of(settings(data, node.url(), topic, prefix, Map.of())));
    // A stream of about 500 events a second, so it flows before, during and after the outage.
    java.util.concurrent.CompletableFuture<Void> stream =
        java.util.concurrent.CompletableFuture.runAsync(
            () -> {
              SyntheticEvents gen =
                  new SyntheticEvents(
                      11, Instant.now().minus(Duration.ofHours(6)), Duration.ofMillis(100));
              try (KafkaProducer<String, byte[]> producer = producer()) {
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                  AuthzEvent e = gen.next();
                  producer.send(
                      new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
                  long ahead = start + i * 2_000_000L - System.nanoTime();
                  if (ahead > 1_000_000) {
                    java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                  }
                }
              }
            });
    try (IndexerService indexer =
        IndexerService.embedded(config, new SimpleMeterRegistry(), Clock.systemUTC())) {
      await().atMost(Duration.ofMinutes(2)).until(() -> indexer.metrics().indexedCount() > 3_000);
      node.close();
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !indexer.health().ready());
      assertThat(((Health.NotReady) indexer.health()).reason()).contains("OpenSearch unavailable");
      long during = indexer.metrics().indexedCount();
      long lagBefore = lag(topic, config.groupId());
      // Down for 30 s: the indexer stays not ready and indexes nothing, while the stream goes on.
      await()
          .during(Duration.ofSeconds(30))
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !indexer.health().ready() && indexer.metrics().indexedCount() == during);
      assertThat(lag(topic, config.groupId())).as("lag grows").isGreaterThan(lagBefore);
      node = OpenSearchNode.start(home, List.of(), port);
      stream.get(3, java.util.concurrent.TimeUnit.MINUTES);
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(500))
          // A bulk the node applied but could not answer is sent again: its records come back as
          // identical versions of themselves, so they count there.
          .until(
              () ->
                  indexer.metrics().indexedCount() + indexer.metrics().identicalDuplicates()
                          == total
                      && indexer.health().ready());
      try (Cluster cluster = Cluster.connect(config.openSearch())) {
        cluster.call("POST", "/" + prefix + "-decisions-*/_refresh", null);
        assertThat(
                cluster
                    .call("GET", "/" + prefix + "-decisions-*/_count", null)
                    .path("count")
                    .asLong())
            .isEqualTo(total);
      }
      assertThat(indexer.metrics().deadLetteredCount()).isZero();
    } finally {
      node.close();
    }
  }

  /** Records of {@code topic} the group has not committed yet. */
  private static long lag(String topic, String group) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
      Map<
              org.apache.kafka.common.TopicPartition,
              org.apache.kafka.clients.consumer.OffsetAndMetadata>
          committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      long ends =
          TopicReader.endOffsets(KAFKA.bootstrapServers(), topic).values().stream()
              .mapToLong(Long::longValue)
              .sum();
      long done =
          committed.values().stream()
              .filter(java.util.Objects::nonNull)
              .mapToLong(o -> o.offset())
              .sum();
      return ends - done;
    }
  }

  @Test
  void credentialsNeverGoOverPlainHttpToAnotherMachine() throws Exception {
    Path pw = Files.writeString(data.resolve("pw"), "x");
    assertThatThrownBy(
            () ->
                OpenSearchSettings.from(
                    Settings.of(
                        Map.of(
                            "opensearch.hosts", "http://search.example.com:9200",
                            "opensearch.username", "u",
                            "opensearch.password-file", pw.toString()))))
        .hasMessageContaining("credentials go only over https");
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
