package dev.mcpaudit.indexer.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.indexer.cluster.ClusterAlerts;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertChange;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertState;
import dev.mcpaudit.schema.alert.AlertStatus;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.CloseReason;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.lucene.document.Document;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexer applying the alert-changes topic, on both stores, in the order a rebuild may meet it:
 * every change read before its alert, a change that lost a race on the same version, and records no
 * API wrote. The alert's own bytes stay as the detector wrote them; the state is the one rule's
 * fold of the changes. On OpenSearch, an indexer that is behind cannot move a state back.
 */
class AlertChangesIngestIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  @TempDir Path data;

  static final Instant DETECTED = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(600);
  static final Alert ALERT =
      new Alert(
          "al-ingest-1",
          AlertType.DENY_BURST,
          Severity.HIGH,
          "acme",
          DETECTED,
          "spiffe://acme.example/agent/a-1",
          "spiffe://acme.example/agent/a-1",
          null,
          null,
          List.of("ev-1", "ev-2"),
          "20 denies within 60 s");
  static final AlertState ACK = new AlertState(AlertStatus.ACKNOWLEDGED, "alice", null);
  static final AlertState FP =
      new AlertState(AlertStatus.CLOSED, "alice", CloseReason.FALSE_POSITIVE);

  static AlertChange change(String id, int version, AlertState from, AlertState to, String note) {
    return new AlertChange(
        id,
        "acme",
        ALERT.alertId(),
        DETECTED,
        version,
        DETECTED.plusSeconds(version),
        "ana",
        from,
        to,
        note);
  }

  /**
   * What each test sends: the changes first (one of them the loser of a race, two unproven), then
   * the alert.
   */
  private byte[] send(Map<String, String> settings) throws Exception {
    String changes = settings.get("topics.alert-changes");
    byte[] alert = EventCodec.mapper().writeValueAsBytes(ALERT);
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (AlertChange c :
          List.of(
              change("c-1", 1, AlertState.NEW, ACK, null),
              change("c-2", 2, ACK, FP, "load test"),
              change("c-2-lost", 2, ACK, AlertState.NEW, "raced and lost"))) {
        byte[] v = AlertChangeCodec.bytes(c);
        p.send(TestStamps.stamped(new ProducerRecord<>(changes, c.changeId(), v), StampKind.API))
            .get();
      }
      byte[] unproven =
          AlertChangeCodec.bytes(change("c-3-unstamped", 3, FP, AlertState.NEW, null));
      p.send(new ProducerRecord<>(changes, "c-3", unproven)).get();
      byte[] wrongRole =
          AlertChangeCodec.bytes(change("c-3-detector", 3, FP, AlertState.NEW, null));
      p.send(
              TestStamps.stamped(
                  new ProducerRecord<>(changes, "c-3", wrongRole), StampKind.DETECTOR))
          .get();
    }
    return alert;
  }

  private static void sendAlert(Map<String, String> settings, byte[] alert) throws Exception {
    try (KafkaProducer<String, byte[]> p =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      p.send(TestStamps.asDetector(new ProducerRecord<>(settings.get("topics.alerts"), "s", alert)))
          .get();
    }
  }

  private Map<String, String> settings(String name) {
    String topic = KafkaBrokerExtension.uniqueTopic(name);
    KAFKA.createTopics(1, topic, topic + ".dlq", topic + ".alerts", topic + ".alert-changes");
    Map<String, String> s = new HashMap<>();
    s.put("indexer.data-dir", data.toString());
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.decisions", topic);
    s.put("topics.dead-letter", topic + ".dlq");
    s.put("topics.alerts", topic + ".alerts");
    s.put("topics.alert-changes", topic + ".alert-changes");
    s.put("indexer.group-id", "indexer-" + topic);
    return s;
  }

  private void assertRefusedUnproven(Map<String, String> s) {
    Map<String, String> refused =
        TopicReader.deadLetterErrors(
            KAFKA.bootstrapServers(), s.get("topics.dead-letter"), "c-3-unstamped", "c-3-detector");
    assertThat(refused).containsOnlyKeys("c-3-unstamped", "c-3-detector");
    assertThat(refused.values()).allSatisfy(e -> assertThat(e).contains("no valid api stamp"));
  }

  private static void assertFolded(AlertTrack t) {
    assertThat(t.version()).isEqualTo(2);
    assertThat(t.state()).isEqualTo(FP);
    assertThat(t.history()).extracting(AlertChange::changeId).containsExactly("c-1", "c-2");
  }

  @Test
  void luceneFoldsChangesReadBeforeTheirAlert() throws Exception {
    Map<String, String> s = settings("ingest-lucene");
    byte[] alert = send(s);
    try (IndexerService indexer =
        IndexerService.embedded(
            IndexerConfig.from(Settings.of(TestStamps.with(s))),
            new SimpleMeterRegistry(),
            Clock.systemUTC())) {
      SearcherManager searchers = indexer.alertSearchers();
      // The changes are read before their alert exists: kept as the state alone.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                searchers.maybeRefreshBlocking();
                Document d = document(searchers);
                return d != null && d.getBinaryValue(AlertFields.TRACK) != null;
              });
      assertThat(document(searchers).getBinaryValue(AlertFields.SOURCE)).isNull();
      sendAlert(s, alert);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                searchers.maybeRefreshBlocking();
                Document d = document(searchers);
                return d != null && d.getBinaryValue(AlertFields.SOURCE) != null;
              });
      Document d = document(searchers);
      assertThat(BytesRef.deepCopyOf(d.getBinaryValue(AlertFields.SOURCE)).bytes)
          .as("the alert's bytes as the detector wrote them")
          .isEqualTo(alert);
      assertFolded(
          AlertChangeCodec.track(BytesRef.deepCopyOf(d.getBinaryValue(AlertFields.TRACK)).bytes));
      assertRefusedUnproven(s);
    }
  }

  private static Document document(SearcherManager searchers) throws Exception {
    IndexSearcher searcher = searchers.acquire();
    try {
      TopDocs top = searcher.search(AlertIndex.key("acme", ALERT.alertId()), 2);
      assertThat(top.scoreDocs.length).as("one record per alert").isLessThanOrEqualTo(1);
      return top.scoreDocs.length == 0
          ? null
          : searcher.storedFields().document(top.scoreDocs[0].doc);
    } finally {
      searchers.release(searcher);
    }
  }

  @Test
  void openSearchFoldsTheSameAndAnIndexerBehindCannotMoveTheStateBack() throws Exception {
    Map<String, String> s = settings("ingest-os");
    String prefix = "ing-" + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT);
    s.put("index.backend", "opensearch");
    s.put("opensearch.hosts", OpenSearchNode.shared().url());
    s.put("opensearch.index-prefix", prefix);
    s.put("opensearch.replicas", "0");
    s.put("indexer.commit-interval", "1s");
    byte[] alert = send(s);
    try (IndexerService indexer =
            IndexerService.embedded(
                IndexerConfig.from(Settings.of(TestStamps.with(s))),
                new SimpleMeterRegistry(),
                Clock.systemUTC());
        Cluster cluster = Cluster.connect(OpenSearchSettings.from(Settings.of(s)))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> source(cluster).path(AlertFields.TRACK).path("version").asInt() == 2);
      assertThat(source(cluster).path(AlertFields.TRACK_ONLY).asBoolean())
          .as("the state alone, waiting for its alert")
          .isTrue();
      sendAlert(s, alert);
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  source(cluster).path(AlertFields.TRACK).path("version").asInt() == 2
                      && source(cluster).has("alert"));
      JsonNode doc = source(cluster);
      assertThat(EventCodec.mapper().readTree(alert)).isEqualTo(doc.get("alert"));
      assertThat(doc.has(AlertFields.TRACK_ONLY)).as("an answer again, with its alert").isFalse();
      assertFolded(
          AlertChangeCodec.track(
              doc.get(AlertFields.TRACK).toString().getBytes(StandardCharsets.UTF_8)));
      assertThat(doc.get(AlertFields.STATUS).asText()).isEqualTo("closed");
      assertThat(doc.get(AlertFields.ASSIGNEE).asText()).isEqualTo("alice");
      assertRefusedUnproven(s);

      // Another indexer, behind, writes the state of version 1: refused, nothing moves back.
      ClusterAlerts behind = new ClusterAlerts(cluster);
      behind.write(
          new AlertStore.Recorded(
              "acme",
              ALERT.alertId(),
              DETECTED,
              alert,
              AlertTrack.NEW.apply(change("c-1", 1, AlertState.NEW, ACK, null)).orElseThrow()));
      behind.commit(Map.of());
      JsonNode after = source(cluster);
      assertThat(after.path(AlertFields.TRACK).path("version").asInt()).isEqualTo(2);
      assertThat(after.get(AlertFields.STATUS).asText()).isEqualTo("closed");
    }
  }

  private static JsonNode source(Cluster cluster) {
    IndexNames names = cluster.names();
    JsonNode hits =
        cluster
            .call(
                "POST",
                "/"
                    + names.alertsPattern()
                    + "/_search?ignore_unavailable=true&allow_no_indices=true",
                EventCodec.mapper()
                    .createObjectNode()
                    .set(
                        "query",
                        EventCodec.mapper()
                            .createObjectNode()
                            .set(
                                "ids",
                                EventCodec.mapper()
                                    .createObjectNode()
                                    .set(
                                        "values",
                                        EventCodec.mapper()
                                            .createArrayNode()
                                            .add(IndexNames.documentId("acme", ALERT.alertId()))))))
            .path("hits")
            .path("hits");
    return hits.isEmpty() ? EventCodec.mapper().createObjectNode() : hits.get(0).path("_source");
  }
}
