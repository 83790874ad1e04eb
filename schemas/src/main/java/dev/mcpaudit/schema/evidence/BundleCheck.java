package dev.mcpaudit.schema.evidence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The offline check of an evidence bundle ({@code mcp-audit verify BUNDLE}): the manifest's
 * signature and every file's SHA-256; each checkpoint's signature; every record's leaf from its
 * bytes and provenance, and its inclusion in its log's checkpointed tree (a filtered bundle) or,
 * for a range bundle, every leaf of each range in order, folded with the range's left edge into the
 * tree that a consistency proof ties to the checkpoint: nothing in the range can be left out.
 * Nothing but the archive and the public keys is read.
 */
public final class BundleCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory FACTORY = JSON.getFactory();
  private static final Base64.Decoder B64 = Base64.getDecoder();
  private static final long MAX_SMALL_FILE = 64L << 20;

  private BundleCheck() {}

  /**
   * What the check concluded, and on success one line per log and one for the manifest.
   *
   * @param records the records verified
   */
  public record Report(Verdict verdict, List<String> lines, long records, String kind) {}

  /** One log's checkpoint as the bundle holds it, once its signature held. */
  private static final class Log {
    final int partition;
    final EvidenceCheck.Signed signed;
    InclusionMemo memo;
    long records;
    // range bundles
    long from = -1;
    long to = -1;
    long next;
    CompactRange range;
    List<byte[]> consistency = List.of();
    EvidenceCheck.Signed start;

    Log(int partition, EvidenceCheck.Signed signed) {
      this.partition = partition;
      this.signed = signed;
    }
  }

  /** Not verified: the verdict to report. */
  private static final class Failed extends Exception {
    final Verdict verdict;

    Failed(Verdict verdict) {
      super(verdict.message(), null, false, false);
      this.verdict = verdict;
    }
  }

  /**
   * The public keys a bundle carries ({@link Bundle#KEYS}): what the server knew when it made it.
   * Trusting them shows a bundle intact, not who made it.
   */
  public static List<VerifierKey> carriedKeys(Path bundle) throws IOException {
    try (ZipFile zip = new ZipFile(bundle.toFile())) {
      ZipEntry e = zip.getEntry(Bundle.KEYS);
      if (e == null) {
        throw new IOException(bundle + ": the bundle carries no " + Bundle.KEYS);
      }
      try (InputStream in = zip.getInputStream(e)) {
        return KeySet.parse(new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8));
      }
    }
  }

  public static Report check(Path bundle, List<VerifierKey> keys) {
    try (ZipFile zip = new ZipFile(bundle.toFile())) {
      return check(zip, keys);
    } catch (Failed f) {
      return new Report(f.verdict, List.of(), 0, null);
    } catch (IOException e) {
      return new Report(
          Verdict.unverifiable(bundle + " is not a readable bundle (ZIP): " + e.getMessage()),
          List.of(),
          0,
          null);
    }
  }

  private static Report check(ZipFile zip, List<VerifierKey> keys) throws IOException, Failed {
    byte[] manifestBytes = small(zip, Bundle.MANIFEST);
    String sig = new String(small(zip, Bundle.SIGNATURE), StandardCharsets.UTF_8);
    SignedNote note;
    try {
      note = SignedNote.parse(sig);
    } catch (IllegalArgumentException e) {
      throw tampered("manifest.sig: " + e.getMessage());
    }
    VerifierKey signer = note.signedBy(keys);
    if (signer == null) {
      if (note.namesAny(keys)) {
        throw tampered("the manifest's signature does not verify (manifest.sig was altered)");
      }
      List<String> names = new ArrayList<>();
      note.signatures()
          .forEach(l -> names.add(l.name() + "+" + String.format("%08x", l.keyHash())));
      throw new Failed(Verdict.unverifiable("the manifest is signed by an unknown key " + names));
    }
    if (!note.text().equals(Bundle.signedText(manifestBytes))) {
      throw tampered("manifest.json was altered: it is not the manifest the signature signs");
    }
    JsonNode manifest = JSON.readTree(manifestBytes);
    if (!Bundle.FORMAT.equals(manifest.path("format").textValue())) {
      throw new Failed(Verdict.unverifiable("not a bundle of format " + Bundle.FORMAT));
    }
    String tenant = manifest.path("tenant").asText("");
    String kind = manifest.path("kind").asText("");
    JsonNode files = manifest.path("files");
    java.time.Instant created;
    try {
      created = java.time.Instant.parse(manifest.path("created_at").asText(""));
    } catch (java.time.format.DateTimeParseException e) {
      throw tampered("the manifest has no valid created_at");
    }
    if (!signer.validAt(created)) {
      throw tampered(
          "the manifest claims " + created + ", outside the validity of its key " + signer.id());
    }
    for (String name : List.of(Bundle.CHECKPOINTS, Bundle.RECORDS, Bundle.PROOFS)) {
      if (!files.has(name)) {
        throw tampered("the manifest lists no " + name);
      }
    }

    Map<Integer, Log> logs = new TreeMap<>();
    Hashed cps = open(zip, files, Bundle.CHECKPOINTS);
    for (byte[] line = cps.line(); line != null; line = cps.line()) {
      JsonNode c = JSON.readTree(line);
      int partition = c.path("partition").asInt(-1);
      EvidenceCheck.Opened o =
          EvidenceCheck.open(
              c.path("note").asText(""), keys, "checkpoint of partition " + partition);
      if (o.failure() != null) {
        throw new Failed(o.failure());
      }
      Checkpoint cp = o.signed().checkpoint();
      if (!cp.origin().endsWith("/" + tenant + "/" + partition)) {
        throw tampered(
            "the checkpoint of "
                + cp.origin()
                + " is not of tenant "
                + tenant
                + " partition "
                + partition);
      }
      Log log = new Log(partition, o.signed());
      log.memo = new InclusionMemo(cp.size(), cp.root());
      logs.put(partition, log);
    }
    cps.done();

    boolean range = Bundle.RANGE_KIND.equals(kind);
    if (range) {
      ranges(zip, files, logs, keys, tenant);
    } else if (!Bundle.FILTERED.equals(kind)) {
      throw new Failed(Verdict.unverifiable("unknown bundle kind '" + kind + "'"));
    }

    JsonNode alert = manifest.path("request").path("alert");
    String alertLine = null;
    if (files.has(Bundle.ALERT_PROOF)) {
      // The alert itself, proven in its tenant's alert log: then its evidence list is the one the
      // detector wrote, not the one the manifest repeats.
      Hashed h = open(zip, files, Bundle.ALERT_PROOF);
      JsonNode proof = JSON.readTree(h.all());
      Verdict v = EvidenceCheck.proof(proof, keys);
      if (v.exit() != Verdict.VERIFIED) {
        throw new Failed(v); // names the alert, before the manifest's hash would say less
      }
      h.done();
      if (!tenant.equals(proof.path("tenant").asText())
          || !alert.path("alert_id").asText().equals(proof.path("alert_id").asText())) {
        throw tampered("alert-proof.json is the proof of another alert or tenant");
      }
      JsonNode record = JSON.readTree(proof.path("record").asText());
      ObjectNode proven = alert.deepCopy();
      proven.set("evidence", record.path("evidence"));
      alert = proven;
      alertLine = v.message() + " (in " + proof.path("origin").asText() + ")";
    } else if (alert.isObject()) {
      alertLine =
          "alert "
              + alert.path("alert_id").asText()
              + " itself is not proven here ("
              + alert.path("proof").asText("no proof")
              + "); its evidence list is the manifest's";
    }
    java.util.Set<String> seen = alert.isObject() ? new java.util.HashSet<>() : null;
    long verified = records(zip, files, logs, tenant, range, seen);
    if (verified != manifest.path("records").asLong(-1)) {
      throw tampered(
          "the bundle holds "
              + verified
              + " records, its manifest "
              + manifest.path("records").asLong(-1));
    }

    List<String> lines = new ArrayList<>();
    for (Log log : logs.values()) {
      Checkpoint cp = log.signed.checkpoint();
      if (range) {
        finishRange(log);
      } else if (log.records == 0) {
        continue;
      }
      lines.add(
          log.records
              + "/"
              + log.records
              + " records verified against checkpoint "
              + tenant
              + "/"
              + log.partition
              + " "
              + cp.size()
              + " "
              + Base64.getEncoder().encodeToString(cp.root())
              + " signed by "
              + log.signed.key().id());
      if (range) {
        lines.add(
            "range complete: leaves "
                + log.from
                + ".."
                + (log.to - 1)
                + " of "
                + cp.origin()
                + (log.start != null
                    ? ", between the checkpoints of " + log.from + " and " + cp.size()
                    : "")
                + ": every record the log holds there");
      }
    }
    if (seen != null) {
      List<String> missing = new ArrayList<>();
      int all = 0;
      for (JsonNode id : alert.path("evidence")) {
        all++;
        if (!seen.contains(id.asText())) {
          missing.add(id.asText());
        }
      }
      lines.add(
          "alert "
              + alert.path("alert_id").asText()
              + " ("
              + alert.path("type").asText()
              + "): "
              + (all - missing.size())
              + " of its "
              + all
              + " evidence events verified"
              + (missing.isEmpty()
                  ? ""
                  : "; not in the bundle (in no log or not checkpointed yet when it was made): "
                      + String.join(", ", missing.subList(0, Math.min(10, missing.size())))
                      + (missing.size() > 10 ? ", …" : "")));
      lines.add(alertLine);
    }
    lines.add(
        verified
            + " records of tenant "
            + tenant
            + " in a "
            + kind
            + " bundle made for "
            + manifest.path("caller").asText("?")
            + " at "
            + created
            + "; manifest signed by "
            + signer.id()
            + (range
                ? ""
                : " (a filtered bundle proves each record genuine, not that every match is here)"));
    return new Report(
        Verdict.verified(lines.getFirst(), signer.id()), List.copyOf(lines), verified, kind);
  }

  private static void ranges(
      ZipFile zip, JsonNode files, Map<Integer, Log> logs, List<VerifierKey> keys, String tenant)
      throws IOException, Failed {
    if (!files.has(Bundle.RANGE)) {
      throw tampered("a range bundle without " + Bundle.RANGE);
    }
    Hashed r = open(zip, files, Bundle.RANGE);
    JsonNode all = JSON.readTree(r.all());
    r.done();
    for (JsonNode x : all.path("logs")) {
      Log log = logs.get(x.path("partition").asInt(-1));
      if (log == null) {
        throw tampered(
            "range.json names partition " + x.path("partition") + ", no checkpoint does");
      }
      log.from = x.path("from_leaf").asLong(-1);
      log.to = x.path("to_leaf").asLong(-1);
      long size = log.signed.checkpoint().size();
      if (log.from < 0 || log.to < log.from || log.to > size) {
        throw tampered(
            "range.json: leaves " + log.from + " to " + log.to + " are not in a tree of " + size);
      }
      try {
        log.range = CompactRange.of(log.from, hashes(x.path("left")));
        log.consistency = hashes(x.path("consistency"));
      } catch (IllegalArgumentException e) {
        throw tampered("range.json of partition " + log.partition + ": " + e.getMessage());
      }
      log.next = log.from;
      if (x.path("start_checkpoint").isTextual()) {
        EvidenceCheck.Opened o =
            EvidenceCheck.open(x.path("start_checkpoint").asText(), keys, "start checkpoint");
        if (o.failure() != null) {
          throw new Failed(o.failure());
        }
        Checkpoint s = o.signed().checkpoint();
        if (!s.origin().equals(log.signed.checkpoint().origin())
            || s.size() != log.from
            || !Bundle.same(s.root(), log.range.root())) {
          throw tampered(
              "the range of "
                  + log.signed.checkpoint().origin()
                  + " does not start at its start checkpoint of "
                  + s.size());
        }
        log.start = o.signed();
      }
    }
    for (Log log : logs.values()) {
      if (log.range == null) {
        throw tampered("range.json has no range for partition " + log.partition);
      }
    }
  }

  private static long records(
      ZipFile zip,
      JsonNode files,
      Map<Integer, Log> logs,
      String tenant,
      boolean range,
      java.util.Set<String> seen)
      throws IOException, Failed {
    Hashed records = open(zip, files, Bundle.RECORDS);
    Hashed proofs = open(zip, files, Bundle.PROOFS);
    long n = 0;
    List<byte[]> path = new ArrayList<>(64);
    List<CompactRange.Node> completed = new ArrayList<>();
    ProofLine p = new ProofLine();
    for (byte[] line = records.line(); line != null; line = records.line()) {
      n++;
      byte[] proofLine = proofs.line();
      if (proofLine == null) {
        throw tampered("record " + n + " has no proof line: proofs.ndjson ends early");
      }
      p.read(proofLine, path, n);
      byte[] stored = line;
      if (p.stored != null) {
        stored = p.stored;
        if (!JSON.readTree(stored).equals(JSON.readTree(line))) {
          throw tampered(
              "record " + n + " was altered: its line is not the record its proof holds");
        }
      }
      String[] ids = ids(stored);
      String id = ids[1] == null ? "on line " + n : ids[1];
      if (ids[0] == null) {
        throw tampered(
            "record " + id + " was altered: it is no longer a JSON object with a tenant");
      }
      if (!tenant.equals(ids[0])) {
        throw tampered("record " + id + " is of tenant " + ids[0] + ", not " + tenant);
      }
      if (seen != null && ids[1] != null) {
        seen.add(ids[1]);
      }
      Log log = logs.get(p.partition);
      if (log == null) {
        throw tampered(
            "record "
                + id
                + " names partition "
                + p.partition
                + ", which the bundle has no checkpoint of");
      }
      byte[] leaf = LeafForm.hash(stored, p.kind, p.by);
      log.records++;
      // Each record's own proof names the record that does not hold; a range is then also
      // folded whole, which proves nothing in it was left out.
      if (!range || p.inclusion) {
        String fails = log.memo.fails(p.leaf, leaf, path);
        if (fails != null) {
          throw tampered(
              "record "
                  + id
                  + " (line "
                  + n
                  + ") was altered or is not in "
                  + log.signed.checkpoint().origin()
                  + " at leaf "
                  + p.leaf
                  + ": "
                  + fails);
        }
      }
      if (range) {
        if (p.leaf != log.next) {
          throw tampered(
              p.leaf > log.next
                  ? "range incomplete: leaf "
                      + log.next
                      + (p.leaf - log.next > 1 ? " to " + (p.leaf - 1) : "")
                      + " of "
                      + log.signed.checkpoint().origin()
                      + " missing (before record "
                      + id
                      + ")"
                  : "record "
                      + id
                      + " is out of order at leaf "
                      + p.leaf
                      + " (leaf "
                      + log.next
                      + " expected)");
        }
        if (p.leaf >= log.to) {
          throw tampered("record " + id + " is past its range's end, leaf " + log.to);
        }
        completed.clear();
        log.range.append(leaf, completed);
        log.next++;
      }
    }
    if (proofs.line() != null) {
      throw tampered("proofs.ndjson has more lines than records.ndjson has records");
    }
    records.done();
    proofs.done();
    return n;
  }

  private static void finishRange(Log log) throws Failed {
    Checkpoint cp = log.signed.checkpoint();
    if (log.next != log.to) {
      throw tampered(
          "range incomplete: leaves "
              + log.next
              + " to "
              + (log.to - 1)
              + " of "
              + cp.origin()
              + " missing (the range ends at "
              + log.to
              + ")");
    }
    if (log.to == 0) {
      return;
    }
    byte[] root = log.range.root();
    String fails =
        log.to == cp.size()
            ? (Bundle.same(root, cp.root()) ? null : "the roots differ")
            : MerkleProofs.consistencyFails(log.to, cp.size(), log.consistency, root, cp.root());
    if (fails != null) {
      throw tampered(
          "the records of "
              + cp.origin()
              + " leaves "
              + log.from
              + ".."
              + (log.to - 1)
              + " do not make the tree its checkpoint of "
              + cp.size()
              + " signs ("
              + fails
              + "): a record was altered, removed or added");
    }
  }

  /** One proof line, read with a streaming parser (a bundle has one per record). */
  private static final class ProofLine {
    int partition;
    long leaf;
    String kind;
    String by;
    byte[] stored;
    boolean inclusion;

    void read(byte[] line, List<byte[]> path, long n) throws Failed {
      partition = -1;
      leaf = -1;
      kind = "kafka";
      by = null;
      stored = null;
      inclusion = false;
      path.clear();
      try (JsonParser j = FACTORY.createParser(line)) {
        if (j.nextToken() != JsonToken.START_OBJECT) {
          throw tampered("proof line " + n + " is not a JSON object");
        }
        while (j.nextToken() == JsonToken.FIELD_NAME) {
          String f = j.currentName();
          JsonToken t = j.nextToken();
          switch (f) {
            case "partition" -> partition = j.getValueAsInt(-1);
            case "leaf_index" -> leaf = j.getValueAsLong(-1);
            case "stored" -> stored = B64.decode(j.getText());
            case "provenance" -> {
              while (j.nextToken() == JsonToken.FIELD_NAME) {
                String g = j.currentName();
                j.nextToken();
                if (g.equals("kind")) {
                  kind = j.getText();
                } else if (g.equals("by")) {
                  by = j.currentToken() == JsonToken.VALUE_NULL ? null : j.getText();
                } else {
                  j.skipChildren();
                }
              }
            }
            case "inclusion" -> {
              inclusion = true;
              while (j.nextToken() == JsonToken.VALUE_STRING) {
                path.add(B64.decode(j.getText()));
              }
            }
            default -> j.skipChildren();
          }
          if (t == null) {
            break;
          }
        }
      } catch (IOException | IllegalArgumentException e) {
        throw tampered("proof line " + n + " is not a valid proof: " + e.getMessage());
      }
      if (partition < 0 || leaf < 0) {
        throw tampered("proof line " + n + " names no partition or leaf");
      }
    }
  }

  /**
   * The record's top-level tenant and event_id (nulls when missing), or nulls if it is not JSON.
   */
  private static String[] ids(byte[] record) {
    String[] out = new String[2];
    try (JsonParser j = FACTORY.createParser(record)) {
      if (j.nextToken() != JsonToken.START_OBJECT) {
        return out;
      }
      while (j.nextToken() == JsonToken.FIELD_NAME) {
        String f = j.currentName();
        j.nextToken();
        if (f.equals("tenant") && j.currentToken() == JsonToken.VALUE_STRING) {
          out[0] = j.getText();
        } else if (f.equals("event_id") && j.currentToken() == JsonToken.VALUE_STRING) {
          out[1] = j.getText();
        } else {
          j.skipChildren();
        }
      }
      if (j.currentToken() != JsonToken.END_OBJECT || j.nextToken() != null) {
        return new String[2];
      }
    } catch (IOException e) {
      return new String[2];
    }
    return out;
  }

  /** A file of the bundle, read once, whose SHA-256 and length must be the manifest's. */
  private static final class Hashed {
    private final String name;
    private final JsonNode expected;
    private final InputStream in;
    private final MessageDigest digest = MerkleHash.newDigest();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
    private long bytes;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int end;

    Hashed(String name, JsonNode expected, InputStream in) {
      this.name = name;
      this.expected = expected;
      this.in = in;
    }

    /** The next line without its newline, or null at the end. */
    byte[] line() throws IOException {
      line.reset();
      while (true) {
        if (pos == end) {
          end = in.read(buf);
          pos = 0;
          if (end <= 0) {
            end = 0;
            return line.size() == 0 ? null : line.toByteArray();
          }
          digest.update(buf, 0, end);
          bytes += end;
        }
        int start = pos;
        while (pos < end && buf[pos] != '\n') {
          pos++;
        }
        line.write(buf, start, pos - start);
        if (pos < end) {
          pos++;
          return line.toByteArray();
        }
      }
    }

    byte[] all() throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] l = line(); l != null; l = line()) {
        out.write(l);
        out.write('\n');
      }
      return out.toByteArray();
    }

    /** Reads what is left and compares the file with the manifest. */
    void done() throws IOException, Failed {
      while (line() != null) {
        // hashed as read
      }
      in.close();
      String sha = HexFormat.of().formatHex(digest.digest());
      if (!sha.equals(expected.path("sha256").asText())
          || bytes != expected.path("bytes").asLong(-1)) {
        throw tampered(
            name
                + " does not match the manifest's SHA-256: it was altered (a record or line added,"
                + " removed or changed)");
      }
    }
  }

  private static Hashed open(ZipFile zip, JsonNode files, String name) throws IOException, Failed {
    ZipEntry e = zip.getEntry(name);
    if (e == null) {
      throw tampered("the bundle has no " + name + ", which its manifest lists");
    }
    return new Hashed(
        name, files.path(name), new BufferedInputStream(zip.getInputStream(e), 1 << 16));
  }

  private static byte[] small(ZipFile zip, String name) throws IOException, Failed {
    ZipEntry e = zip.getEntry(name);
    if (e == null) {
      throw new Failed(Verdict.unverifiable("not an evidence bundle: it has no " + name));
    }
    try (InputStream in = zip.getInputStream(e)) {
      byte[] b = in.readNBytes((int) MAX_SMALL_FILE + 1);
      if (b.length > MAX_SMALL_FILE) {
        throw tampered(name + " is larger than any bundle writes");
      }
      return b;
    }
  }

  private static List<byte[]> hashes(JsonNode array) {
    List<byte[]> out = new ArrayList<>();
    for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
      out.add(B64.decode(it.next().asText()));
    }
    return out;
  }

  private static Failed tampered(String message) {
    return new Failed(Verdict.tampered(message));
  }
}
