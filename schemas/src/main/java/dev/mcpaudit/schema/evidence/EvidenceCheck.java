package dev.mcpaudit.schema.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The offline checks of {@code mcp-audit verify}: a record's inclusion proof against a signed
 * checkpoint, and the consistency of two signed checkpoints of one log. Needs nothing but the files
 * and the public keys; every failure says what does not hold.
 */
public final class EvidenceCheck {
  /** The {@code format} of a proof (the answer of {@code GET /api/v1/evidence/proof/{id}}). */
  public static final String PROOF_FORMAT = "mcp-audit-proof/v1";

  /** The {@code format} of a consistency answer ({@code GET /api/v1/evidence/consistency}). */
  public static final String CONSISTENCY_FORMAT = "mcp-audit-consistency/v1";

  private EvidenceCheck() {}

  /** A checkpoint whose signature held, with its signer. */
  public record Signed(Checkpoint checkpoint, VerifierKey key) {}

  /** Either a verified checkpoint or why not. */
  record Opened(Signed signed, Verdict failure) {}

  /** Checks a proof file's record, leaf, inclusion proof and checkpoint. */
  public static Verdict proof(JsonNode p, List<VerifierKey> keys) {
    // A decision's proof names its event; an alert's (in its tenant's alert log) its alert.
    boolean alert = p.has("alert_id");
    String id = alert ? p.path("alert_id").asText("?") : p.path("event_id").asText("?");
    String what = alert ? "alert " : "record ";
    if (!PROOF_FORMAT.equals(p.path("format").textValue())) {
      return Verdict.unverifiable("not a proof file (format " + PROOF_FORMAT + " expected)");
    }
    for (String field :
        List.of("tenant", "record", "checkpoint", "leaf_index", "tree_size", "inclusion")) {
      if (p.path(field).isMissingNode() || p.path(field).isNull()) {
        return Verdict.unverifiable(what + id + ": the proof file has no " + field);
      }
    }
    Opened o = open(p.path("checkpoint").asText(), keys, "checkpoint");
    if (o.failure != null) {
      return o.failure;
    }
    Checkpoint cp = o.signed.checkpoint();
    String tenant = p.path("tenant").asText();
    long index = p.path("leaf_index").asLong(-1);
    long size = p.path("tree_size").asLong(-1);
    if (size != cp.size()) {
      return Verdict.tampered(
          what + id + ": the proof is for a tree of " + size + ", the checkpoint of " + cp.size());
    }
    String origin = p.path("origin").asText("");
    if (!cp.origin().equals(origin) || !origin.contains("/" + tenant + "/")) {
      return Verdict.tampered(
          what + id + ": the checkpoint is of log " + cp.origin() + ", not of tenant " + tenant);
    }
    byte[] record = p.path("record").asText().getBytes(StandardCharsets.UTF_8);
    JsonNode prov = p.path("provenance");
    byte[] leaf =
        LeafForm.hash(record, prov.path("kind").asText("kafka"), prov.path("by").textValue());
    String recordFault = recordFault(record, id, tenant, alert ? "alert_id" : "event_id");
    if (recordFault != null) {
      return Verdict.tampered(what + id + ": " + recordFault);
    }
    List<byte[]> path;
    byte[] claimed;
    try {
      path = hashes(p.path("inclusion"));
      claimed = p.hasNonNull("leaf_hash") ? b64(p.path("leaf_hash").asText()) : leaf;
    } catch (IllegalArgumentException e) {
      return Verdict.tampered(what + id + ": the proof's hashes are not base64");
    }
    if (MerkleProofs.inclusionFails(index, size, leaf, path, cp.root()) == null) {
      return Verdict.verified(
          what
              + id
              + " verified at "
              + tenant
              + " "
              + index
              + "/"
              + size
              + " against checkpoint signed by "
              + o.signed.key().id(),
          o.signed.key().id());
    }
    if (!MessageDigest.isEqual(claimed, leaf)
        && MerkleProofs.inclusionFails(index, size, claimed, path, cp.root()) == null) {
      return Verdict.tampered(
          what
              + id
              + " was altered: its bytes (or provenance) no longer hash to leaf "
              + index
              + " of "
              + cp.origin()
              + ", which the checkpoint proves");
    }
    return Verdict.tampered(
        what
            + id
            + ": the inclusion proof does not hold ("
            + MerkleProofs.inclusionFails(index, size, leaf, path, cp.root())
            + "): the record, its leaf index or the proof was altered");
  }

  /** The record must be the JSON object the proof names: same tenant, same event id. */
  private static String recordFault(byte[] record, String id, String tenant, String idField) {
    JsonNode r;
    try {
      r = new com.fasterxml.jackson.databind.ObjectMapper().readTree(record);
    } catch (java.io.IOException e) {
      return "the record is no longer JSON (it was altered)";
    }
    if (!tenant.equals(r.path("tenant").textValue())) {
      return "the record's tenant is not " + tenant;
    }
    if (!id.equals(r.path(idField).textValue())) {
      return "the record's " + idField + " is not " + id;
    }
    return null;
  }

  /**
   * Checks that {@code newer} extends {@code older}: both signed, one log, and the proof (from
   * {@code proof}, a consistency answer, when the sizes differ) leads from one root to the other.
   */
  public static Verdict consistency(
      String older, String newer, JsonNode proof, List<VerifierKey> keys) {
    Opened a = open(older, keys, "old checkpoint");
    if (a.failure != null) {
      return a.failure;
    }
    Opened b = open(newer, keys, "new checkpoint");
    if (b.failure != null) {
      return b.failure;
    }
    Checkpoint c1 = a.signed.checkpoint();
    Checkpoint c2 = b.signed.checkpoint();
    if (!c1.origin().equals(c2.origin())) {
      return Verdict.tampered(
          "the checkpoints are of two logs: " + c1.origin() + " and " + c2.origin());
    }
    if (c1.size() > c2.size()) {
      return Verdict.tampered(
          "the new checkpoint (" + c2.size() + ") is smaller than the old one (" + c1.size() + ")");
    }
    List<byte[]> hashes = List.of();
    if (c1.size() > 0 && c1.size() < c2.size()) {
      if (proof == null || !proof.has("proof")) {
        return Verdict.unverifiable(
            "no consistency proof from " + c1.size() + " to " + c2.size() + " was given");
      }
      if (proof.path("from_size").asLong() != c1.size()
          || proof.path("to_size").asLong() != c2.size()) {
        return Verdict.unverifiable(
            "the consistency proof is from "
                + proof.path("from_size").asLong()
                + " to "
                + proof.path("to_size").asLong()
                + ", not from "
                + c1.size()
                + " to "
                + c2.size());
      }
      try {
        hashes = hashes(proof.path("proof"));
      } catch (IllegalArgumentException e) {
        return Verdict.tampered("the consistency proof's hashes are not base64");
      }
    }
    String fails =
        c1.size() == 0
            ? null // the empty tree is the start of every tree
            : MerkleProofs.consistencyFails(c1.size(), c2.size(), hashes, c1.root(), c2.root());
    if (fails != null) {
      return Verdict.tampered(
          c1.origin()
              + ": the checkpoint of "
              + c2.size()
              + " does not extend the checkpoint of "
              + c1.size()
              + " ("
              + fails
              + "): the log was rewritten, or a checkpoint or the proof was altered");
    }
    return Verdict.verified(
        c1.origin()
            + " "
            + c1.size()
            + " -> "
            + c2.size()
            + " consistent; checkpoints signed by "
            + a.signed.key().id()
            + (a.signed.key().equals(b.signed.key()) ? "" : " and " + b.signed.key().id()),
        b.signed.key().id());
  }

  /** Reads a signed checkpoint and checks its signature and its key's validity. */
  static Opened open(String note, List<VerifierKey> keys, String what) {
    SignedNote n;
    Checkpoint cp;
    try {
      n = SignedNote.parse(note);
      cp = Checkpoint.parse(n.text());
    } catch (IllegalArgumentException e) {
      return new Opened(null, Verdict.tampered(what + ": " + e.getMessage()));
    }
    VerifierKey k = n.signedBy(keys);
    if (k == null) {
      if (n.namesAny(keys)) {
        return new Opened(
            null,
            Verdict.tampered(
                what
                    + " of "
                    + cp.origin()
                    + " at "
                    + cp.size()
                    + ": its signature does not verify (the checkpoint was altered)"));
      }
      List<String> names = new ArrayList<>();
      n.signatures().forEach(l -> names.add(l.name() + "+" + String.format("%08x", l.keyHash())));
      return new Opened(null, Verdict.unverifiable(what + " is signed by an unknown key " + names));
    }
    if (!k.validAt(cp.time())) {
      return new Opened(
          null,
          Verdict.tampered(
              what + " claims " + cp.time() + ", outside the validity of its key " + k.id()));
    }
    return new Opened(new Signed(cp, k), null);
  }

  private static List<byte[]> hashes(JsonNode array) {
    List<byte[]> out = new ArrayList<>();
    for (JsonNode h : array) {
      out.add(b64(h.asText()));
    }
    return out;
  }

  private static byte[] b64(String s) {
    return Base64.getDecoder().decode(s);
  }
}
