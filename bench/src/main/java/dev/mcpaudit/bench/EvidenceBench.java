package dev.mcpaudit.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.indexer.evidence.EvidenceLog;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.evidence.Bundle;
import dev.mcpaudit.schema.evidence.BundleCheck;
import dev.mcpaudit.schema.evidence.BundleWriter;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.EvidenceCheck;
import dev.mcpaudit.schema.evidence.KeySet;
import dev.mcpaudit.schema.evidence.LeafForm;
import dev.mcpaudit.schema.evidence.MerkleProofs;
import dev.mcpaudit.schema.evidence.NodeCache;
import dev.mcpaudit.schema.evidence.SignedNote;
import dev.mcpaudit.schema.evidence.SigningKey;
import dev.mcpaudit.schema.evidence.TreeProofs;
import dev.mcpaudit.schema.evidence.Verdict;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The evidence log's own costs (README, "Verifiable evidence"), one thread: leaf hashing and
 * appending (what the indexer adds per record), then, over the log on disk, inclusion proofs built
 * as the API builds them and checked as {@code mcp-audit verify} checks them, a whole proof file
 * checked (JSON, signature, leaf, path), and consistency proofs built and checked.
 */
final class EvidenceBench {
  private EvidenceBench() {}

  static void run(BenchArgs args) throws Exception {
    int n = args.eventsOr(1_000_000);
    SigningKey key = SigningKey.generate("mcp-audit-bench");
    Path dir = Files.createTempDirectory("mcp-audit-bench-evidence-");
    try {
      SyntheticEvents gen = new SyntheticEvents(7, Instant.now().minus(Duration.ofDays(1)));
      List<byte[]> records = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        records.add(EventCodec.encode(gen.next().toBuilder().tenant("acme").build()));
      }
      LogId log = new LogId("acme", 0);
      EvidenceLog logs =
          new EvidenceLog(
              dir,
              List.of(),
              new EvidenceLog.Settings("mcp-audit", key, Long.MAX_VALUE, Duration.ofDays(1)));
      long start = System.nanoTime();
      for (byte[] r : records) {
        logs.append(log, LeafForm.hash(r, "collector", "gw-1"));
      }
      double appendRate = n / ((System.nanoTime() - start) / 1e9);
      start = System.nanoTime();
      EvidenceLog.Prepared prepared = logs.prepare(Instant.now().plus(Duration.ofDays(2)));
      prepared.flush();
      double flushMs = (System.nanoTime() - start) / 1e6;
      String note = prepared.made().getFirst().note();
      long bytes = 0;
      for (int level = 0;
          Files.exists(LogFiles.nodes(log.dir(dir), level));
          level += LogFiles.STRIDE) {
        bytes += Files.size(LogFiles.nodes(log.dir(dir), level));
      }
      System.out.printf(
          "evidence: %,d records: leaf hash + append %,.0f records/s (one thread); checkpoint signed,"
              + " %,d bytes of nodes written and forced in %.0f ms (%.1f B/record)%n",
          n, appendRate, bytes, flushMs, bytes / (double) n);

      LogFiles.Reader nodes = LogFiles.reader(log.dir(dir), n);
      TreeProofs proofs = new TreeProofs(nodes);
      Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
      SplittableRandom random = new SplittableRandom(3);
      int rounds = 20_000;
      long[] leaves = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        leaves[i] = random.nextLong(n);
      }
      start = System.nanoTime();
      List<List<byte[]>> built = new ArrayList<>(rounds);
      for (long leaf : leaves) {
        built.add(proofs.inclusion(leaf, n));
      }
      double buildRate = rounds / ((System.nanoTime() - start) / 1e9);
      start = System.nanoTime();
      for (int i = 0; i < rounds; i++) {
        byte[] h = LeafForm.hash(records.get((int) leaves[i]), "collector", "gw-1");
        if (MerkleProofs.inclusionFails(leaves[i], n, h, built.get(i), cp.root()) != null) {
          throw new IllegalStateException("a built proof does not verify");
        }
      }
      double checkRate = rounds / ((System.nanoTime() - start) / 1e9);
      System.out.printf(
          "evidence: inclusion proofs in a log of %,d (%d hashes each): built from the files %,.0f/s,"
              + " checked %,.0f/s%n",
          n, built.getFirst().size(), buildRate, checkRate);

      ObjectMapper json = new ObjectMapper();
      List<JsonNode> files = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        files.add(proofFile(json, records.get((int) leaves[i]), leaves[i], n, built.get(i), note));
      }
      String text = json.writeValueAsString(files.getFirst());
      int checks = 4 * files.size();
      start = System.nanoTime();
      for (int i = 0; i < checks; i++) {
        Verdict v =
            EvidenceCheck.proof(
                json.readTree(json.writeValueAsString(files.get(i % files.size()))),
                List.of(key.verifier()));
        if (v.exit() != 0) {
          throw new IllegalStateException(v.message());
        }
      }
      double fileRate = checks / ((System.nanoTime() - start) / 1e9);
      System.out.printf(
          "evidence: whole proof files (%,d bytes: JSON, Ed25519 signature, leaf, path) checked"
              + " %,.0f/s%n",
          text.length(), fileRate);

      int cons = 20_000;
      start = System.nanoTime();
      List<long[]> pairs = new ArrayList<>(cons);
      List<List<byte[]>> consProofs = new ArrayList<>(cons);
      for (int i = 0; i < cons; i++) {
        long a = 1 + random.nextLong(n - 1);
        long b = a + random.nextLong(n - a + 1);
        pairs.add(new long[] {a, b});
        consProofs.add(proofs.consistency(a, b));
      }
      double consBuild = cons / ((System.nanoTime() - start) / 1e9);
      List<byte[]> roots = new ArrayList<>(cons * 2);
      for (long[] p : pairs) {
        roots.add(proofs.root(p[0]));
        roots.add(proofs.root(p[1]));
      }
      start = System.nanoTime();
      for (int i = 0; i < cons; i++) {
        long[] p = pairs.get(i);
        if (MerkleProofs.consistencyFails(
                p[0], p[1], consProofs.get(i), roots.get(2 * i), roots.get(2 * i + 1))
            != null) {
          throw new IllegalStateException("a built consistency proof does not verify");
        }
      }
      double consCheck = cons / ((System.nanoTime() - start) / 1e9);
      System.out.printf(
          "evidence: consistency proofs between random sizes: built from the files %,.0f/s, checked"
              + " %,.0f/s%n",
          consBuild, consCheck);
      nodes.close();
      bundles(dir, log, n, records, key, note);
    } finally {
      LuceneBench.deleteTree(dir);
    }
  }

  /**
   * Bundles as the API writes them (a proof per record from the stored nodes, ZIP, signed manifest)
   * and as {@code mcp-audit verify} checks them: a filtered bundle of every third record and a
   * range bundle of the whole log, each built and checked twice (the second time is reported).
   */
  private static void bundles(
      Path dir, LogId log, int n, List<byte[]> records, SigningKey key, String note)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    Checkpoint cp = Checkpoint.parse(SignedNote.parse(note).text());
    for (String kind : List.of(Bundle.FILTERED, Bundle.RANGE_KIND)) {
      int step = kind.equals(Bundle.FILTERED) ? 3 : 1;
      Path file = dir.resolve(kind + ".zip");
      double build = 0;
      double check = 0;
      long written = 0;
      for (int round = 0; round < 2; round++) {
        long start = System.nanoTime();
        try (LogFiles.Reader nodes = LogFiles.reader(log.dir(dir), n);
            OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            BundleWriter w = new BundleWriter(out, dir)) {
          TreeProofs proofs = new TreeProofs(new NodeCache(nodes));
          w.file(Bundle.KEYS, (KeySet.line(key.verifier()) + "\n").getBytes(UTF_8));
          ObjectNode c = json.createObjectNode();
          c.put("partition", 0).put("origin", cp.origin()).put("size", n).put("note", note);
          w.file(Bundle.CHECKPOINTS, (c + "\n").getBytes(UTF_8));
          if (step == 1) {
            ObjectNode r = json.createObjectNode();
            r.putArray("logs")
                .addObject()
                .put("partition", 0)
                .put("from_leaf", 0)
                .put("to_leaf", n)
                .putArray("left");
            r.withArray("logs").get(0).withArray("consistency");
            w.file(Bundle.RANGE, json.writeValueAsBytes(r));
          }
          for (int i = 0; i < n; i += step) {
            w.record(records.get(i), 0, i, "collector", "gw-1", proofs.inclusion(i, n));
          }
          ObjectNode m = json.createObjectNode();
          m.put("kind", kind).put("tenant", "acme").put("caller", "bench");
          m.put("created_at", Instant.now().toString());
          w.finish(m, key);
          written = w.records();
        }
        build = written / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        BundleCheck.Report report = BundleCheck.check(file, List.of(key.verifier()));
        if (report.verdict().exit() != 0) {
          throw new IllegalStateException(report.verdict().message());
        }
        check = written / ((System.nanoTime() - start) / 1e9);
      }
      long raw = 0;
      for (int i = 0; i < n; i += step) {
        raw += records.get(i).length + 1;
      }
      System.out.printf(
          "evidence: %s bundle of %,d records: built %,.0f records/s (records, and the proofs"
              + " deflated beside them on a second thread), verified %,.0f records/s (one thread);"
              + " %,d bytes, %.0f B/record (the records alone: %.0f B/record as NDJSON)%n",
          kind,
          written,
          build,
          check,
          Files.size(file),
          Files.size(file) / (double) written,
          raw / (double) written);
    }
  }

  private static JsonNode proofFile(
      ObjectMapper json, byte[] record, long leaf, long size, List<byte[]> path, String note) {
    ObjectNode p = json.createObjectNode();
    String r = new String(record, java.nio.charset.StandardCharsets.UTF_8);
    JsonNode parsed;
    try {
      parsed = json.readTree(r);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    p.put("format", EvidenceCheck.PROOF_FORMAT);
    p.put("event_id", parsed.path("event_id").asText());
    p.put("tenant", parsed.path("tenant").asText());
    p.put("origin", "mcp-audit/acme/0");
    p.put("leaf_index", leaf);
    p.put("tree_size", size);
    p.put("record", r);
    p.putObject("provenance").put("kind", "collector").put("by", "gw-1");
    path.forEach(h -> p.withArray("inclusion").add(Base64.getEncoder().encodeToString(h)));
    p.put("checkpoint", note);
    return p;
  }
}
