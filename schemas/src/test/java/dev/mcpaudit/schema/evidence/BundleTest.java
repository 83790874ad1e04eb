package dev.mcpaudit.schema.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Evidence bundles written and checked as an auditor would: each kind verifies; every way of
 * tampering with one (a changed byte, a dropped record, a re-signed manifest over a shortened
 * range, a stranger's key) is named with exit 1 or 2.
 */
class BundleTest {
  private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");
  private static final String ORIGIN = "mcp-audit/acme/0";

  @TempDir Path dir;

  private final SigningKey key = SigningKey.generate("test-bundles");
  private final List<VerifierKey> keys = List.of(key.verifier());
  private final List<byte[]> records = new ArrayList<>();
  private final MerkleTree tree = new MerkleTree();

  @BeforeEach
  void log() {
    for (int i = 0; i < 300; i++) {
      String r =
          "{\"event_id\":\"ev_"
              + i
              + "\",\"tenant\":\"acme\",\"decision\":\""
              + (i % 3 == 0 ? "deny" : "allow")
              + "\""
              + (i == 7 ? ",\n\"note\":\"a record stored with a line break\"" : "")
              + "}";
      byte[] b = r.getBytes(StandardCharsets.UTF_8);
      records.add(b);
      tree.append(LeafForm.hash(b, "collector", "gw-1"));
    }
  }

  private String checkpoint(long size) {
    return key.sign(new Checkpoint(ORIGIN, size, tree.root(size), T).text());
  }

  /** A filtered bundle of every third record, proven against the checkpoint of 280. */
  private Path filtered() throws IOException {
    Path out = dir.resolve("filtered.zip");
    try (OutputStream o = Files.newOutputStream(out);
        BundleWriter w = new BundleWriter(o, dir)) {
      start(w, 280);
      for (int i = 0; i < 280; i += 3) {
        w.record(records.get(i), 0, i, "collector", "gw-1", tree.inclusion(i, 280));
      }
      w.finish(manifest(Bundle.FILTERED), key);
    }
    return out;
  }

  /** Leaves 16..199 between the checkpoints of 16 and 280 (start given) or up to 280. */
  private Path range(long from, long to, boolean withStart, int drop) throws IOException {
    Path out = dir.resolve("range-" + from + "-" + to + ".zip");
    try (OutputStream o = Files.newOutputStream(out);
        BundleWriter w = new BundleWriter(o, dir)) {
      start(w, 280);
      ObjectNode r = new ObjectMapper().createObjectNode();
      ObjectNode log = r.putArray("logs").addObject();
      log.put("partition", 0).put("from_leaf", from).put("to_leaf", to);
      ArrayNode left = log.putArray("left");
      leftEdge(from).forEach(h -> left.add(b64(h)));
      ArrayNode c = log.putArray("consistency");
      if (to < 280) {
        tree.consistency(to, 280).forEach(h -> c.add(b64(h)));
      }
      if (withStart) {
        log.put("start_checkpoint", checkpoint(from));
      }
      w.file(Bundle.RANGE, new ObjectMapper().writeValueAsBytes(r));
      for (long i = from; i < to; i++) {
        if (i != drop) {
          w.record(records.get((int) i), 0, i, "collector", "gw-1", tree.inclusion(i, 280));
        }
      }
      w.finish(manifest(Bundle.RANGE_KIND), key);
    }
    return out;
  }

  private List<byte[]> leftEdge(long size) {
    List<byte[]> out = new ArrayList<>();
    long start = 0;
    for (int level = 62; level >= 0; level--) {
      if ((size & (1L << level)) != 0) {
        MerkleTree sub = new MerkleTree();
        for (long i = start; i < start + (1L << level); i++) {
          sub.append(LeafForm.hash(records.get((int) i), "collector", "gw-1"));
        }
        out.add(sub.root(1L << level));
        start += 1L << level;
      }
    }
    return out;
  }

  private void start(BundleWriter w, long size) throws IOException {
    w.file(Bundle.KEYS, (KeySet.line(key.verifier()) + "\n").getBytes(StandardCharsets.UTF_8));
    ObjectNode line = new ObjectMapper().createObjectNode();
    line.put("partition", 0).put("origin", ORIGIN).put("size", size).put("note", checkpoint(size));
    w.file(Bundle.CHECKPOINTS, (line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private ObjectNode manifest(String kind) {
    ObjectNode m = new ObjectMapper().createObjectNode();
    m.put("kind", kind).put("tenant", "acme").put("caller", "auditor-1");
    m.put("created_at", T.plusSeconds(60).toString());
    return m;
  }

  @Test
  void aFilteredBundleVerifiesAndSaysWhatItDoesNotProve() throws IOException {
    BundleCheck.Report r = BundleCheck.check(filtered(), keys);
    assertThat(r.verdict().exit()).as(r.verdict().message()).isZero();
    assertThat(r.records()).isEqualTo(94);
    assertThat(r.lines().getFirst())
        .startsWith("94/94 records verified against checkpoint acme/0 280 ")
        .endsWith(" signed by " + key.verifier().id());
    assertThat(r.lines().getLast()).contains("not that every match is here");
    assertThat(BundleCheck.carriedKeys(filtered())).containsExactly(key.verifier());
  }

  @Test
  void rangeBundlesVerifyAndProveCompleteness() throws IOException {
    BundleCheck.Report between = BundleCheck.check(range(16, 280, true, -1), keys);
    assertThat(between.verdict().exit()).as(between.verdict().message()).isZero();
    assertThat(between.lines())
        .contains(
            "range complete: leaves 16..279 of "
                + ORIGIN
                + ", between the checkpoints of"
                + " 16 and 280: every record the log holds there");
    BundleCheck.Report widened = BundleCheck.check(range(5, 201, false, -1), keys);
    assertThat(widened.verdict().exit()).as(widened.verdict().message()).isZero();
    assertThat(widened.records()).isEqualTo(196);
    BundleCheck.Report fromStart = BundleCheck.check(range(0, 1, false, -1), keys);
    assertThat(fromStart.verdict().exit()).as(fromStart.verdict().message()).isZero();
  }

  @Test
  void oneChangedByteIsNamed() throws IOException {
    Path b = filtered();
    rewrite(
        b,
        Bundle.RECORDS,
        s ->
            s.replace(
                "\"event_id\":\"ev_42\",\"tenant\":\"acme\",\"decision\":\"deny\"",
                "\"event_id\":\"ev_42\",\"tenant\":\"acme\",\"decision\":\"dens\""));
    BundleCheck.Report r = BundleCheck.check(b, keys);
    assertThat(r.verdict().exit()).isEqualTo(Verdict.TAMPERED);
    assertThat(r.verdict().message()).startsWith("record ev_42 (line 15) was altered");

    Path range = range(16, 280, true, -1);
    rewrite(
        range,
        Bundle.RECORDS,
        s ->
            s.replace(
                "\"ev_100\",\"tenant\":\"acme\",\"decision\":\"allow\"",
                "\"ev_100\",\"tenant\":\"acme\",\"decision\":\"alloW\""));
    r = BundleCheck.check(range, keys);
    assertThat(r.verdict().exit()).isEqualTo(Verdict.TAMPERED);
    assertThat(r.verdict().message()).startsWith("record ev_100 (line 85) was altered");
  }

  @Test
  void aDroppedRecordMakesARangeIncomplete() throws IOException {
    Path b = range(16, 280, true, -1);
    rewrite(b, Bundle.RECORDS, s -> dropLine(s, 50));
    rewrite(b, Bundle.PROOFS, s -> dropLine(s, 50));
    BundleCheck.Report r = BundleCheck.check(b, keys);
    assertThat(r.verdict().exit()).isEqualTo(Verdict.TAMPERED);
    assertThat(r.verdict().message())
        .isEqualTo("range incomplete: leaf 66 of " + ORIGIN + " missing (before record ev_67)");

    // A writer holding the manifest key leaves a record out and signs what is left: the proofs
    // still hold, but the leaves no longer make the tree the checkpoint signs.
    Path signed = range(16, 280, true, 66);
    rewrite(signed, Bundle.PROOFS, s -> s);
    r = BundleCheck.check(signed, keys);
    assertThat(r.verdict().exit()).isEqualTo(Verdict.TAMPERED);
    assertThat(r.verdict().message()).startsWith("range incomplete: leaf 66 of " + ORIGIN);
  }

  @Test
  void aDroppedRecordOfAFilteredBundleBreaksItsManifest() throws IOException {
    Path b = filtered();
    rewrite(b, Bundle.RECORDS, s -> dropLine(s, 3));
    rewrite(b, Bundle.PROOFS, s -> dropLine(s, 3));
    BundleCheck.Report r = BundleCheck.check(b, keys);
    assertThat(r.verdict().exit()).isEqualTo(Verdict.TAMPERED);
    assertThat(r.verdict().message()).startsWith("records.ndjson does not match the manifest");
  }

  @Test
  void signaturesAndKeys() throws IOException {
    Path b = filtered();
    BundleCheck.Report stranger =
        BundleCheck.check(b, List.of(SigningKey.generate("stranger").verifier()));
    assertThat(stranger.verdict().exit()).isEqualTo(Verdict.UNVERIFIABLE);
    assertThat(stranger.verdict().message()).contains("unknown key");

    rewrite(b, Bundle.MANIFEST, s -> s.replace("auditor-1", "auditor-2"));
    BundleCheck.Report altered = BundleCheck.check(b, keys);
    assertThat(altered.verdict().exit()).isEqualTo(Verdict.TAMPERED);
    assertThat(altered.verdict().message()).startsWith("manifest.json was altered");

    Path notZip = Files.writeString(dir.resolve("x.zip"), "not a zip");
    assertThat(BundleCheck.check(notZip, keys).verdict().exit()).isEqualTo(Verdict.UNVERIFIABLE);
  }

  /**
   * A bundle of an alert's evidence, holding the alert's own proof in its alert log: its evidence
   * list is the proven one; an alert whose list was shortened does not verify.
   */
  @Test
  void anAlertsBundleProvesTheAlertAndSaysWhichOfItsEvidenceItHolds() throws IOException {
    String alertJson =
        "{\"alert_id\":\"al-1\",\"type\":\"DENY_BURST\",\"tenant\":\"acme\","
            + "\"evidence\":[\"ev_3\",\"ev_6\",\"ev_299\"]}";
    byte[] alert = alertJson.getBytes(StandardCharsets.UTF_8);
    MerkleTree alerts = new MerkleTree();
    alerts.append(
        LeafForm.hash(
            "{\"alert_id\":\"al-0\",\"tenant\":\"acme\"}".getBytes(StandardCharsets.UTF_8),
            "detector",
            "det-1"));
    alerts.append(LeafForm.hash(alert, "detector", "det-1"));
    ObjectMapper json = new ObjectMapper();
    ObjectNode proof = json.createObjectNode();
    proof.put("format", EvidenceCheck.PROOF_FORMAT).put("alert_id", "al-1").put("tenant", "acme");
    proof.put("partition", 0).put("origin", "mcp-audit-alerts/acme/0");
    proof.put("leaf_index", 1).put("tree_size", 2).put("record", alertJson);
    proof.putObject("provenance").put("kind", "detector").put("by", "det-1");
    ArrayNode path = proof.putArray("inclusion");
    alerts.inclusion(1, 2).forEach(h -> path.add(b64(h)));
    proof.put(
        "checkpoint",
        key.sign(new Checkpoint("mcp-audit-alerts/acme/0", 2, alerts.root(2), T).text()));

    Path out = dir.resolve("alert.zip");
    try (OutputStream o = Files.newOutputStream(out);
        BundleWriter w = new BundleWriter(o, dir)) {
      start(w, 280);
      w.file(Bundle.ALERT_PROOF, json.writeValueAsBytes(proof));
      for (int i : new int[] {3, 6}) {
        w.record(records.get(i), 0, i, "collector", "gw-1", tree.inclusion(i, 280));
      }
      ObjectNode m = manifest(Bundle.FILTERED);
      m.putObject("request")
          .putObject("alert")
          .put("alert_id", "al-1")
          .putArray("evidence")
          .add("ev_3");
      w.finish(m, key);
    }
    BundleCheck.Report r = BundleCheck.check(out, keys);
    assertThat(r.verdict().exit()).as(r.verdict().message()).isZero();
    assertThat(r.lines())
        .contains(
            "alert al-1 (): 2 of its 3 evidence events verified; not in the bundle (in no log or"
                + " not checkpointed yet when it was made): ev_299")
        .anySatisfy(
            l -> assertThat(l).startsWith("alert al-1 verified at acme 1/2 against checkpoint"));

    rewrite(out, Bundle.ALERT_PROOF, s -> s.replace(",\\\"ev_299\\\"", ""));
    BundleCheck.Report shortened = BundleCheck.check(out, keys);
    assertThat(shortened.verdict().exit()).isEqualTo(Verdict.TAMPERED);
    assertThat(shortened.verdict().message()).startsWith("alert al-1");
  }

  private static String dropLine(String s, int index) {
    List<String> lines = new ArrayList<>(List.of(s.split("\n")));
    lines.remove(index);
    return String.join("\n", lines) + "\n";
  }

  /** Rewrites one file of a bundle in place (what anyone carrying it can do). */
  private static void rewrite(Path zip, String name, java.util.function.UnaryOperator<String> f)
      throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        files.put(entry.getName(), z.getInputStream(entry).readAllBytes());
      }
    }
    files.put(
        name,
        f.apply(new String(files.get(name), StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    Files.write(zip, out.toByteArray());
  }

  private static String b64(byte[] h) {
    return Base64.getEncoder().encodeToString(h);
  }
}
