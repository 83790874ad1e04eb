package dev.mcpaudit.indexer.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.CommitOffsets;
import dev.mcpaudit.index.evidence.Committed;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.EvidenceCheck;
import dev.mcpaudit.schema.evidence.LeafForm;
import dev.mcpaudit.schema.evidence.MerkleTree;
import dev.mcpaudit.schema.evidence.SignedNote;
import dev.mcpaudit.schema.evidence.SigningKey;
import dev.mcpaudit.schema.evidence.TreeProofs;
import dev.mcpaudit.schema.evidence.Verdict;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TestStamps;
import dev.mcpaudit.testkit.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts in their tenants' alert logs (README, "Evidence bundles") through a real broker and the
 * real indexer, across a restart: each stamped alert enters the log of its tenant and alerts-topic
 * partition once, in the topic's order (a re-emitted alert and an unstamped one never), the logs on
 * disk equal the tree rebuilt from what was sent, and every checkpoint published under {@code
 * alerts/} is signed, has that tree's root at its size and is consistent with its log's latest.
 */
class AlertLogIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

  @TempDir Path data;

  @Test
  void everyAlertEntersItsTenantsLogOnceAndTheLogGoesOnAfterARestart() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("alert-log");
    String alerts = decisions + ".alerts";
    String checkpoints = decisions + ".checkpoints";
    KAFKA.createTopics(2, decisions, decisions + ".dlq", alerts);
    SigningKey key = SigningKey.generate("mcp-audit-it");
    Path keyFile = Files.writeString(data.resolve("evidence.key"), key.text());
    Map<LogId, List<byte[]>> expected = new TreeMap<>();
    Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    int n = 0;
    for (int run = 0; run < 2; run++) {
      try (KafkaProducer<String, byte[]> p = producer()) {
        for (int i = 0; i < 40; i++, n++) {
          String tenant = n % 3 == 0 ? "acme" : "globex";
          int partition = n % 2;
          byte[] alert = alert("al-" + n, tenant, t.plusSeconds(n));
          p.send(TestStamps.asDetector(new ProducerRecord<>(alerts, partition, null, "s", alert)))
              .get();
          expected.computeIfAbsent(new LogId(tenant, partition), k -> new ArrayList<>()).add(alert);
          if (i % 10 == 5) { // re-emitted by a restarted detector, and one nobody stamped
            p.send(TestStamps.asDetector(new ProducerRecord<>(alerts, partition, null, "s", alert)))
                .get();
            p.send(
                    new ProducerRecord<>(
                        alerts, partition, null, "s", alert("forged-" + n, tenant, t)))
                .get();
          }
        }
      }
      Map<String, Long> ends = TopicReader.endOffsets(KAFKA.bootstrapServers(), alerts);
      try (IndexerService indexer =
          IndexerService.embedded(
              config(decisions, checkpoints, keyFile),
              new SimpleMeterRegistry(),
              Clock.systemUTC())) {
        await()
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> covered(ends, expected));
      }
    }

    Path alertsIndex = data.resolve("alerts");
    Map<LogId, Committed> committed = committedLogs(alertsIndex);
    assertThat(committed.keySet()).isEqualTo(expected.keySet());
    Map<String, MerkleTree> reference = new TreeMap<>();
    for (Map.Entry<LogId, List<byte[]>> log : expected.entrySet()) {
      MerkleTree tree = new MerkleTree();
      log.getValue().forEach(a -> tree.append(LeafForm.hash(a, "detector", TestStamps.KEY_ID)));
      Committed c = committed.get(log.getKey());
      assertThat(c.size()).isEqualTo(tree.size());
      TreeProofs onDisk = new TreeProofs(LogFiles.reader(log.getKey().dir(alertsIndex), c.size()));
      assertThat(onDisk.root(c.size())).isEqualTo(tree.root(c.size()));
      reference.put(log.getKey().origin("mcp-audit-alerts"), tree);
    }

    List<ConsumerRecord<String, byte[]>> published =
        TopicReader.readAll(KAFKA.bootstrapServers(), checkpoints, 4, Duration.ofSeconds(30));
    Map<String, List<String>> byLog = new TreeMap<>();
    for (ConsumerRecord<String, byte[]> r : published) {
      String note = new String(r.value(), StandardCharsets.UTF_8);
      Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
      assertThat(r.key()).startsWith("alerts/").endsWith("/" + cp.size());
      byLog.computeIfAbsent(cp.origin(), o -> new ArrayList<>()).add(note);
    }
    assertThat(byLog.keySet()).isEqualTo(reference.keySet());
    for (Map.Entry<String, List<String>> log : byLog.entrySet()) {
      MerkleTree tree = reference.get(log.getKey());
      List<String> notes = log.getValue();
      assertThat(notes).as("checkpoints before and after the restart").hasSizeGreaterThan(1);
      String latest = notes.getLast();
      long last = Checkpoint.parse(SignedNote.parse(latest).text()).size();
      for (String note : notes) {
        Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
        assertThat(cp.root()).isEqualTo(tree.root(cp.size()));
        ObjectNode proof = new ObjectMapper().createObjectNode();
        proof.put("from_size", cp.size()).put("to_size", last);
        tree.consistency(cp.size(), last)
            .forEach(h -> proof.withArray("proof").add(Base64.getEncoder().encodeToString(h)));
        Verdict v = EvidenceCheck.consistency(note, latest, proof, List.of(key.verifier()));
        assertThat(v.exit()).as(v.message()).isZero();
      }
    }
  }

  /** The alerts index committed every alert, and each log's checkpoint covers all of it. */
  private boolean covered(Map<String, Long> ends, Map<LogId, List<byte[]>> expected)
      throws Exception {
    Path index = data.resolve("alerts");
    if (!Files.exists(index)) {
      return false;
    }
    Map<String, Long> offsets;
    try (Directory dir = FSDirectory.open(index)) {
      if (!DirectoryReader.indexExists(dir)) {
        return false;
      }
      IndexCommit last = DirectoryReader.listCommits(dir).getLast();
      offsets = CommitOffsets.read(last.getUserData().entrySet());
    }
    for (Map.Entry<String, Long> e : ends.entrySet()) {
      if (!e.getValue().equals(offsets.getOrDefault(e.getKey(), -1L))) {
        return false;
      }
    }
    Map<LogId, Committed> logs = committedLogs(index);
    for (Map.Entry<LogId, List<byte[]>> log : expected.entrySet()) {
      Committed c = logs.get(log.getKey());
      if (c == null || c.size() != log.getValue().size()) {
        return false;
      }
      List<String> notes = LogFiles.readCheckpoints(log.getKey().dir(index), c.checkpointBytes());
      if (notes.isEmpty()
          || Checkpoint.parse(SignedNote.parse(notes.getLast()).text()).size() != c.size()) {
        return false;
      }
    }
    return true;
  }

  private static byte[] alert(String id, String tenant, Instant at) throws Exception {
    return EventCodec.mapper()
        .writeValueAsBytes(
            new Alert(
                id,
                AlertType.DENY_BURST,
                Severity.MEDIUM,
                tenant,
                at,
                "spiffe://example.org/agent/a",
                "spiffe://example.org/agent/a",
                null,
                null,
                List.of("ev-1"),
                "20 denies within 60 s"));
  }

  private IndexerConfig config(String decisions, String checkpoints, Path keyFile) {
    Map<String, String> s =
        new HashMap<>(
            Map.ofEntries(
                Map.entry("indexer.data-dir", data.toString()),
                Map.entry("kafka.bootstrap-servers", KAFKA.bootstrapServers()),
                Map.entry("topics.decisions", decisions),
                Map.entry("topics.dead-letter", decisions + ".dlq"),
                Map.entry("topics.alerts", decisions + ".alerts"),
                Map.entry("topics.checkpoints", checkpoints),
                Map.entry("indexer.group-id", "indexer-" + decisions),
                Map.entry("indexer.commit-interval", "200ms"),
                Map.entry("evidence.enabled", "true"),
                Map.entry("evidence.signing-key", keyFile.toString()),
                Map.entry("evidence.checkpoint-interval", "1s")));
    return IndexerConfig.from(Settings.of(TestStamps.with(s)));
  }

  private static Map<LogId, Committed> committedLogs(Path index) throws Exception {
    try (Directory dir = FSDirectory.open(index)) {
      IndexCommit last = DirectoryReader.listCommits(dir).getLast();
      return Committed.read(last.getUserData().entrySet());
    }
  }

  private static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            KAFKA.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all"),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
