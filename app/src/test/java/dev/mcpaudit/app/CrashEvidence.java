package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.index.evidence.Committed;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.EvidenceCheck;
import dev.mcpaudit.schema.evidence.LeafForm;
import dev.mcpaudit.schema.evidence.MerkleTree;
import dev.mcpaudit.schema.evidence.SignedNote;
import dev.mcpaudit.schema.evidence.SigningKey;
import dev.mcpaudit.schema.evidence.TreeProofs;
import dev.mcpaudit.schema.evidence.Verdict;
import dev.mcpaudit.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * What the evidence log must show after an indexer was killed mid-stream: the committed logs are
 * the trees of the stored records in Kafka order per tenant and partition, leaf for leaf; every
 * checkpoint ever published has that tree's root at its size, and is consistent with its log's
 * latest checkpoint (checked by the verifier's own code, {@code EvidenceCheck}; one pair also by
 * {@code mcp-audit verify consistency} in a JVM of its own).
 */
final class CrashEvidence {
  private CrashEvidence() {}

  /** Checks everything; returns how many checkpoint pairs were found consistent. */
  static int checkAll(Path index, String bootstrap, String topic, SigningKey key, Path work)
      throws Exception {
    Map<LogId, MerkleTree> trees = new TreeMap<>();
    Map<LogId, Committed> committed;
    try (Directory dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      committed = Committed.read(reader.getIndexCommit().getUserData().entrySet());
      Map<LogId, List<Document>> byLog = new TreeMap<>();
      for (LeafReaderContext leaf : reader.leaves()) {
        Bits live = leaf.reader().getLiveDocs();
        org.apache.lucene.index.SortedDocValues tenants =
            leaf.reader().getSortedDocValues(IndexSchema.TENANT);
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
          if (live == null || live.get(doc)) {
            Document d = leaf.reader().storedFields().document(doc);
            assertThat(tenants.advanceExact(doc)).isTrue();
            String tenant = tenants.lookupOrd(tenants.ordValue()).utf8ToString();
            byLog
                .computeIfAbsent(
                    new LogId(
                        tenant, d.getField(IndexSchema.KAFKA_PARTITION).numericValue().intValue()),
                    k -> new ArrayList<>())
                .add(d);
          }
        }
      }
      for (Map.Entry<LogId, List<Document>> e : byLog.entrySet()) {
        e.getValue()
            .sort(
                Comparator.comparingLong(
                    d -> d.getField(IndexSchema.KAFKA_OFFSET).numericValue().longValue()));
        MerkleTree tree = new MerkleTree();
        for (Document d : e.getValue()) {
          assertThat(d.getField(IndexSchema.EVIDENCE_LEAF).numericValue().longValue())
              .as("leaf of %s offset %s", e.getKey(), d.getField(IndexSchema.KAFKA_OFFSET))
              .isEqualTo(tree.size());
          tree.append(
              LeafForm.hash(
                  StoredEvents.bytes(d),
                  d.get(IndexSchema.PROVENANCE),
                  d.get(IndexSchema.PROVENANCE_BY)));
        }
        trees.put(e.getKey(), tree);
        assertThat(committed.get(e.getKey()).size()).isEqualTo(tree.size());
      }
    }
    assertThat(committed.keySet()).isEqualTo(trees.keySet());

    Map<String, List<String>> published = new TreeMap<>();
    for (ConsumerRecord<String, byte[]> r :
        TopicReader.readAll(bootstrap, topic, trees.size(), Duration.ofSeconds(30))) {
      String note = new String(r.value(), StandardCharsets.UTF_8);
      published
          .computeIfAbsent(
              Checkpoint.parse(SignedNote.parse(note).text()).origin(), o -> new ArrayList<>())
          .add(note);
    }
    int pairs = 0;
    boolean cliChecked = false;
    for (Map.Entry<LogId, MerkleTree> log : trees.entrySet()) {
      List<String> notes = published.get(log.getKey().origin("mcp-audit"));
      assertThat(notes).as("checkpoints of %s", log.getKey()).isNotNull();
      notes.sort(
          Comparator.comparingLong(n -> Checkpoint.parse(SignedNote.parse(n).text()).size()));
      String latest = notes.getLast();
      Checkpoint last = Checkpoint.parse(SignedNote.parse(latest).text());
      TreeProofs disk =
          new TreeProofs(
              LogFiles.reader(log.getKey().dir(index), committed.get(log.getKey()).size()));
      ObjectNode firstProof = null;
      String firstNote = null;
      for (String note : notes) {
        Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
        assertThat(cp.root())
            .as("%s at %s: the root of the stored records", cp.origin(), cp.size())
            .isEqualTo(log.getValue().root(cp.size()));
        ObjectNode proof = consistencyAnswer(disk, cp.size(), last.size());
        Verdict v = EvidenceCheck.consistency(note, latest, proof, List.of(key.verifier()));
        assertThat(v.exit()).as(v.message()).isZero();
        if (firstProof == null && cp.size() < last.size()) {
          firstProof = proof;
          firstNote = note;
        }
        pairs++;
      }
      if (firstProof != null && !cliChecked) {
        cliChecked = true;
        Path dir =
            Files.createDirectories(
                work.resolve("verify-" + log.getKey().partition() + "-" + pairs));
        Files.writeString(dir.resolve("old.note"), firstNote);
        Files.writeString(dir.resolve("new.note"), latest);
        Files.writeString(dir.resolve("proof.json"), firstProof.toString());
        Files.writeString(dir.resolve("keys.pub"), key.verifier().text() + "\n");
        Process p =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar",
                    Path.of("target", "mcp-audit.jar").toAbsolutePath().toString(),
                    "verify",
                    "consistency",
                    "old.note",
                    "new.note",
                    "--proof",
                    "proof.json",
                    "--keys",
                    "keys.pub")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("consistent");
      }
    }
    assertThat(cliChecked).isTrue();
    return pairs;
  }

  private static ObjectNode consistencyAnswer(TreeProofs disk, long from, long to) {
    ObjectNode a = new ObjectMapper().createObjectNode();
    a.put("format", EvidenceCheck.CONSISTENCY_FORMAT).put("from_size", from).put("to_size", to);
    var proof = a.putArray("proof");
    if (from < to) {
      disk.consistency(from, to).forEach(h -> proof.add(Base64.getEncoder().encodeToString(h)));
    }
    return a;
  }
}
