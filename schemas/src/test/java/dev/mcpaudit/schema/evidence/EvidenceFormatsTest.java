package dev.mcpaudit.schema.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The log's incremental tree and its proofs held to the reference tree; the signed-note keys and
 * signatures held to the published examples of Go's sumdb/note and the C2SP signed-note
 * specification; the offline checks of a proof and of two checkpoints, honest and tampered.
 */
class EvidenceFormatsTest {
  // golang.org/x/mod/sumdb/note's documented example (data only).
  static final String GO_SKEY =
      "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
  static final String GO_VKEY =
      "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
  static final String GO_TEXT =
      "If you think cryptography is the answer to your problem,\n"
          + "then you don't know what your problem is.\n";
  static final String GO_NOTE =
      GO_TEXT
          + "\n\u2014 PeterNeumann"
          + " x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

  // The C2SP signed-note specification's example verifier key and note.
  static final String SPEC_VKEY =
      "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
  static final String SPEC_NOTE =
      "This is an example message.\n\n\u2014 example.com/foo"
          + " Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

  @Test
  void incrementalTreeAndStoredNodeProofsAgreeWithTheReference() {
    SplittableRandom random = new SplittableRandom(7);
    MerkleTree reference = new MerkleTree();
    CompactRange range = new CompactRange();
    java.util.Map<String, byte[]> stored = new java.util.HashMap<>();
    List<CompactRange.Node> completed = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      byte[] leaf = new byte[1 + random.nextInt(40)];
      random.nextBytes(leaf);
      byte[] h = MerkleHash.leaf(leaf);
      reference.append(h);
      completed.clear();
      range.append(h, completed);
      for (CompactRange.Node n : completed) {
        stored.put(n.level() + "/" + n.index(), n.hash());
      }
      assertThat(range.size()).isEqualTo(i + 1);
      assertThat(range.root()).isEqualTo(reference.root(i + 1));
    }
    PerfectNodes nodes =
        (level, index) -> {
          byte[] h = stored.get(level + "/" + index);
          if (h == null) {
            throw new IllegalArgumentException("no node " + level + "/" + index);
          }
          return h;
        };
    TreeProofs proofs = new TreeProofs(nodes);
    for (int size = 1; size <= 300; size += 1 + random.nextInt(7)) {
      assertThat(proofs.root(size)).isEqualTo(reference.root(size));
      assertThat(CompactRange.of(size, nodes).root()).isEqualTo(reference.root(size));
      for (int i = 0; i < size; i += 1 + random.nextInt(5)) {
        assertThat(proofs.inclusion(i, size))
            .containsExactlyElementsOf(reference.inclusion(i, size));
      }
      for (int s1 = 1; s1 <= size; s1 += 1 + random.nextInt(9)) {
        assertThat(proofs.consistency(s1, size))
            .containsExactlyElementsOf(reference.consistency(s1, size));
      }
    }
    assertThat(proofs.root(0)).isEqualTo(MerkleHash.empty());
  }

  @Test
  void signedNotesMatchThePublishedExamplesByteForByte() {
    SigningKey go = SigningKey.parse(GO_SKEY);
    assertThat(go.verifier().text()).isEqualTo(GO_VKEY);
    assertThat(go.text()).isEqualTo(GO_SKEY);
    assertThat(go.sign(GO_TEXT)).isEqualTo(GO_NOTE); // Ed25519 is deterministic
    assertThat(go.toString()).doesNotContain("AYEKFALV");

    VerifierKey spec = VerifierKey.parse(SPEC_VKEY, null, null);
    SignedNote note = SignedNote.parse(SPEC_NOTE);
    assertThat(note.text()).isEqualTo("This is an example message.\n");
    assertThat(note.signedBy(List.of(spec))).isEqualTo(spec);
    assertThat(note.signedBy(List.of(go.verifier()))).isNull();
    SignedNote altered = SignedNote.parse(SPEC_NOTE.replace("example message", "exemple message"));
    assertThat(altered.signedBy(List.of(spec))).isNull();
    assertThat(altered.namesAny(List.of(spec))).isTrue();

    assertThatThrownBy(() -> VerifierKey.parse(GO_VKEY.replace("c74f20a3", "c74f20a4"), null, null))
        .hasMessageContaining("hash does not match");
    assertThatThrownBy(() -> SigningKey.generate("has space"))
        .hasMessageContaining("without spaces");
    SigningKey fresh = SigningKey.generate("mcp-audit-test");
    assertThat(SigningKey.parse(fresh.text()).verifier()).isEqualTo(fresh.verifier());
    assertThat(KeySet.parse(KeySet.line(fresh.verifier()) + "\n# old\n" + GO_VKEY))
        .containsExactly(fresh.verifier(), go.verifier());
  }

  @Test
  void theLeafIsTheDocumentedFormAndItsHashIsTheRfcLeafHash() {
    byte[] record = "{\"event_id\":\"e-1\",\"tenant\":\"acme\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(
            new String(
                LeafForm.bytes(record, "collector", "gw \"1\"\n\u0001é"), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"format\":\"mcp-audit-leaf/v1\",\"provenance\":{\"kind\":\"collector\",\"by\":\"gw"
                + " \\\"1\\\"\\n\\u0001é\"},\"record\":{\"event_id\":\"e-1\",\"tenant\":\"acme\"}}");
    assertThat(new String(LeafForm.bytes(record, "kafka", null), StandardCharsets.UTF_8))
        .contains("{\"kind\":\"kafka\",\"by\":null}");
    assertThat(LeafForm.hash(record, "kafka", null))
        .isEqualTo(MerkleHash.leaf(LeafForm.bytes(record, "kafka", null)));
    assertThat(LeafForm.hash(record, "collector", "gw-1"))
        .isEqualTo(MerkleHash.leaf(LeafForm.bytes(record, "collector", "gw-1")))
        .isNotEqualTo(LeafForm.hash(record, "publisher", "gw-1"));
  }

  @Test
  void checkpointsRoundTripAndRefuseWhatIsOutOfShape() {
    Checkpoint cp =
        new Checkpoint(
            "mcp-audit/acme/3", 41872, new byte[32], Instant.parse("2026-01-02T03:04:05.006Z"));
    assertThat(cp.text())
        .isEqualTo(
            "mcp-audit/acme/3\n41872\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ntime"
                + " 2026-01-02T03:04:05.006Z\n");
    Checkpoint back = Checkpoint.parse(cp.text());
    assertThat(back.origin()).isEqualTo(cp.origin());
    assertThat(back.size()).isEqualTo(41872);
    assertThat(back.time()).isEqualTo(cp.time());
    assertThatThrownBy(() -> Checkpoint.parse("o\n012\nAAAA\ntime x\n"))
        .hasMessageContaining("size");
    assertThatThrownBy(() -> Checkpoint.parse("o\n12\nAAAA\n")).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new Checkpoint("a\nb", 1, new byte[32], Instant.EPOCH))
        .hasMessageContaining("one non-empty line");
  }

  @Test
  void aProofVerifiesAndEveryAlterationIsNamed() throws Exception {
    SigningKey key = SigningKey.generate("mcp-audit-test");
    List<VerifierKey> keys = List.of(key.verifier());
    MerkleTree tree = new MerkleTree();
    List<String> records = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      String r = "{\"event_id\":\"e-" + i + "\",\"tenant\":\"acme\",\"reason\":\"ok " + i + "\"}";
      records.add(r);
      tree.append(LeafForm.hash(r.getBytes(StandardCharsets.UTF_8), "collector", "gw-1"));
    }
    Instant t = Instant.parse("2026-01-02T03:04:05Z");
    String note = key.sign(new Checkpoint("mcp-audit/acme/0", 11, tree.root(11), t).text());
    ObjectNode proof = proof(records.get(6), 6, 11, tree, note);

    Verdict ok = EvidenceCheck.proof(proof, keys);
    assertThat(ok.exit()).isZero();
    assertThat(ok.message())
        .isEqualTo(
            "record e-6 verified at acme 6/11 against checkpoint signed by " + key.verifier().id());

    ObjectNode flipped = proof.deepCopy();
    flipped.put("record", records.get(6).replace("ok 6", "ok 7"));
    Verdict bad = EvidenceCheck.proof(flipped, keys);
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.message()).startsWith("record e-6 was altered");

    ObjectNode moved = proof.deepCopy();
    moved.put("leaf_index", 5);
    assertThat(EvidenceCheck.proof(moved, keys).exit()).isEqualTo(1);

    ObjectNode forged = proof.deepCopy();
    forged.put("checkpoint", note.replace("\n11\n", "\n12\n"));
    forged.put("tree_size", 12);
    Verdict sig = EvidenceCheck.proof(forged, keys);
    assertThat(sig.exit()).isEqualTo(1);
    assertThat(sig.message()).contains("signature does not verify");

    SigningKey stranger = SigningKey.generate("someone-else");
    ObjectNode foreign = proof.deepCopy();
    foreign.put(
        "checkpoint",
        stranger.sign(new Checkpoint("mcp-audit/acme/0", 11, tree.root(11), t).text()));
    Verdict unknown = EvidenceCheck.proof(foreign, keys);
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.message()).contains("unknown key").contains("someone-else");

    ObjectNode missing = proof.deepCopy();
    missing.remove("inclusion");
    assertThat(EvidenceCheck.proof(missing, keys).exit()).isEqualTo(2);

    List<VerifierKey> retired =
        List.of(VerifierKey.of(key.name(), key.verifier().key(), null, t.minusSeconds(1)));
    assertThat(EvidenceCheck.proof(proof, retired).message()).contains("outside the validity");

    // Two checkpoints of one log: consistent with the proof, refused when the log was rewritten.
    String older = key.sign(new Checkpoint("mcp-audit/acme/0", 4, tree.root(4), t).text());
    ObjectNode cons = new ObjectMapper().createObjectNode().put("from_size", 4).put("to_size", 11);
    tree.consistency(4, 11).forEach(h -> cons.withArray("proof").add(b64(h)));
    assertThat(EvidenceCheck.consistency(older, note, cons, keys).exit()).isZero();
    assertThat(EvidenceCheck.consistency(older, note, null, keys).exit()).isEqualTo(2);
    MerkleTree fork = new MerkleTree();
    for (int i = 0; i < 11; i++) {
      fork.append(MerkleHash.leaf(new byte[] {(byte) i}));
    }
    String forked = key.sign(new Checkpoint("mcp-audit/acme/0", 4, fork.root(4), t).text());
    Verdict split = EvidenceCheck.consistency(forked, note, cons, keys);
    assertThat(split.exit()).isEqualTo(1);
    assertThat(split.message()).contains("does not extend");
  }

  static ObjectNode proof(String record, int index, int size, MerkleTree tree, String note) {
    ObjectNode p = new ObjectMapper().createObjectNode();
    p.put("format", EvidenceCheck.PROOF_FORMAT);
    p.put("event_id", "e-" + index);
    p.put("tenant", "acme");
    p.put("origin", "mcp-audit/acme/0");
    p.put("leaf_index", index);
    p.put("tree_size", size);
    p.put("record", record);
    p.putObject("provenance").put("kind", "collector").put("by", "gw-1");
    p.put(
        "leaf_hash",
        b64(LeafForm.hash(record.getBytes(StandardCharsets.UTF_8), "collector", "gw-1")));
    tree.inclusion(index, size).forEach(h -> p.withArray("inclusion").add(b64(h)));
    p.put("checkpoint", note);
    return p;
  }

  static String b64(byte[] h) {
    return Base64.getEncoder().encodeToString(h);
  }
}
