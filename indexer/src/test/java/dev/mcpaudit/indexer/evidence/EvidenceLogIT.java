package dev.mcpaudit.indexer.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.index.evidence.Committed;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
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
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence log through a real broker and the real indexer: each tenant's records of each
 * partition enter their log in Kafka's order, once (re-published copies and rewritten versions
 * never), the log on disk equals the reference tree rebuilt from the stored records, and every
 * checkpoint published to the checkpoints topic is signed and consistent with the latest one,
 * across restarts, one of them with the log turned off: the records stored meanwhile are in no log,
 * and the logs go on where they were when it is turned on again.
 */
class EvidenceLogIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final int PARTITIONS = 3;

  @TempDir Path data;

  @Test
  void everyStoredRecordEntersItsLogOnceAndEveryCheckpointExtendsTheLast() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    String checkpoints = decisions + ".checkpoints";
    KAFKA.createTopics(PARTITIONS, decisions, decisions + ".dlq", decisions + ".alerts");
    SigningKey key = SigningKey.generate("mcp-audit-it");
    Path keyFile = data.resolve("evidence.key");
    Files.writeString(keyFile, key.text());
    SyntheticEvents gen = new SyntheticEvents(11, Instant.now().minus(Duration.ofDays(1)));
    List<AuthzEvent> sent = new ArrayList<>();
    Map<String, byte[]> firstVersions = new HashMap<>();
    java.util.Set<String> whileOff = new java.util.HashSet<>();

    for (int run = 0; run < 3; run++) {
      boolean on = run != 1;
      try (KafkaProducer<String, byte[]> producer = producer()) {
        for (int i = 0; i < 10_000; i++) {
          AuthzEvent e = gen.next();
          sent.add(e);
          firstVersions.put(e.eventId(), EventCodec.encode(e));
          if (!on) {
            whileOff.add(e.eventId());
          }
          producer.send(new ProducerRecord<>(decisions, e.partitionKey(), EventCodec.encode(e)));
          if (i % 50 == 3) { // re-published, and rewritten: neither may enter a log
            AuthzEvent again = sent.get(sent.size() / 2);
            producer.send(
                new ProducerRecord<>(decisions, again.partitionKey(), EventCodec.encode(again)));
            AuthzEvent other = again.toBuilder().reason("rewritten " + i).build();
            producer.send(
                new ProducerRecord<>(decisions, other.partitionKey(), EventCodec.encode(other)));
          }
        }
      }
      Map<String, Long> ends = TopicReader.endOffsets(KAFKA.bootstrapServers(), decisions);
      try (IndexerService indexer =
          IndexerService.embedded(
              config(decisions, checkpoints, on ? keyFile : null),
              new SimpleMeterRegistry(),
              Clock.systemUTC())) {
        await()
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> EventIndex.committedOffsetsOrEmpty(data.resolve("index")).equals(ends));
      }
    }

    Path index = data.resolve("index");
    Map<LogId, List<Document>> all = committedByLog(index);
    Map<LogId, List<Document>> byLog = new TreeMap<>();
    List<String> inNoLog = new ArrayList<>();
    for (Map.Entry<LogId, List<Document>> e : all.entrySet()) {
      for (Document d : e.getValue()) {
        if (d.getField(IndexSchema.EVIDENCE_LEAF) == null) {
          inNoLog.add(
              EventCodec.mapper().readTree(StoredEvents.bytes(d)).path("event_id").textValue());
        } else {
          byLog.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(d);
        }
      }
    }
    assertThat(inNoLog).hasSameSizeAs(whileOff);
    assertThat(new java.util.HashSet<>(inNoLog)).isEqualTo(whileOff);
    Map<LogId, Committed> committed = committedLogs(index);
    assertThat(byLog.values().stream().mapToInt(List::size).sum())
        .isEqualTo(firstVersions.size() - whileOff.size());
    assertThat(committed.keySet()).isEqualTo(byLog.keySet());
    assertThat(byLog.keySet().stream().map(LogId::tenant).distinct()).hasSize(3);

    Map<LogId, MerkleTree> reference = new TreeMap<>();
    for (Map.Entry<LogId, List<Document>> log : byLog.entrySet()) {
      MerkleTree tree = new MerkleTree();
      long leaf = 0;
      for (Document d : log.getValue()) { // in offset order
        assertThat(d.getField(IndexSchema.EVIDENCE_LEAF).numericValue().longValue())
            .as("leaf index of the record at offset %s", d.getField(IndexSchema.KAFKA_OFFSET))
            .isEqualTo(leaf++);
        byte[] stored = StoredEvents.bytes(d);
        String id = EventCodec.mapper().readTree(stored).path("event_id").textValue();
        assertThat(new String(stored, StandardCharsets.UTF_8))
            .isEqualTo(new String(firstVersions.get(id), StandardCharsets.UTF_8));
        tree.append(
            LeafForm.hash(stored, d.get(IndexSchema.PROVENANCE), d.get(IndexSchema.PROVENANCE_BY)));
      }
      reference.put(log.getKey(), tree);
      Committed c = committed.get(log.getKey());
      assertThat(c.size()).isEqualTo(tree.size());
      TreeProofs onDisk = new TreeProofs(LogFiles.reader(log.getKey().dir(index), c.size()));
      assertThat(onDisk.root(c.size())).isEqualTo(tree.root(c.size()));
    }

    // Every published checkpoint: signed by the key, its root the reference tree's at its size,
    // and consistent (by a proof from the files on disk) with the latest of its log.
    List<ConsumerRecord<String, byte[]>> published =
        TopicReader.readAll(KAFKA.bootstrapServers(), checkpoints, 6, Duration.ofSeconds(30));
    Map<String, List<String>> notesByLog = new TreeMap<>();
    for (ConsumerRecord<String, byte[]> r : published) {
      String note = new String(r.value(), StandardCharsets.UTF_8);
      Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
      assertThat(r.key()).endsWith("/" + cp.size());
      notesByLog.computeIfAbsent(cp.origin(), o -> new ArrayList<>()).add(note);
    }
    assertThat(notesByLog).isNotEmpty();
    int pairs = 0;
    for (Map.Entry<LogId, MerkleTree> log : reference.entrySet()) {
      List<String> notes = notesByLog.get(log.getKey().origin("mcp-audit"));
      assertThat(notes).as("checkpoints of %s", log.getKey()).isNotNull().hasSizeGreaterThan(1);
      String latest = notes.getLast();
      Checkpoint last = Checkpoint.parse(SignedNote.parse(latest).text());
      TreeProofs onDisk =
          new TreeProofs(
              LogFiles.reader(log.getKey().dir(index), committed.get(log.getKey()).size()));
      for (String note : notes) {
        Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
        assertThat(cp.root()).isEqualTo(log.getValue().root(cp.size()));
        ObjectNode proof = new ObjectMapper().createObjectNode();
        proof.put("from_size", cp.size()).put("to_size", last.size());
        if (cp.size() < last.size()) {
          onDisk
              .consistency(cp.size(), last.size())
              .forEach(h -> proof.withArray("proof").add(Base64.getEncoder().encodeToString(h)));
        }
        Verdict v = EvidenceCheck.consistency(note, latest, proof, List.of(key.verifier()));
        assertThat(v.exit()).as(v.message()).isZero();
        pairs++;
      }
    }
    assertThat(pairs).isGreaterThan(reference.size() * 2);
  }

  /** The indexer's settings; with the evidence log off when {@code keyFile} is null. */
  IndexerConfig config(String decisions, String checkpoints, Path keyFile) {
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
                Map.entry("evidence.checkpoint-every", "500"),
                Map.entry("evidence.checkpoint-interval", "1h")));
    if (keyFile != null) {
      s.put("evidence.enabled", "true");
      s.put("evidence.signing-key", keyFile.toString());
    }
    return IndexerConfig.from(Settings.of(TestStamps.with(s)));
  }

  /** The last commit's documents by log, each log in Kafka offset order. */
  static Map<LogId, List<Document>> committedByLog(Path index) throws Exception {
    Map<LogId, List<Document>> out = new TreeMap<>();
    try (Directory dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      for (LeafReaderContext leaf : reader.leaves()) {
        Bits live = leaf.reader().getLiveDocs();
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
          if (live == null || live.get(doc)) {
            Document d = leaf.reader().storedFields().document(doc);
            out.computeIfAbsent(
                    new LogId(
                        EventCodec.mapper()
                            .readTree(StoredEvents.bytes(d))
                            .path("tenant")
                            .textValue(),
                        d.getField(IndexSchema.KAFKA_PARTITION).numericValue().intValue()),
                    k -> new ArrayList<>())
                .add(d);
          }
        }
      }
    }
    out.values()
        .forEach(
            l ->
                l.sort(
                    java.util.Comparator.comparingLong(
                        d -> d.getField(IndexSchema.KAFKA_OFFSET).numericValue().longValue())));
    return out;
  }

  static Map<LogId, Committed> committedLogs(Path index) throws Exception {
    try (Directory dir = FSDirectory.open(index)) {
      IndexCommit last = DirectoryReader.listCommits(dir).getLast();
      return Committed.read(last.getUserData().entrySet());
    }
  }

  static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            KAFKA.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.LINGER_MS_CONFIG,
            10),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
