package dev.mcpaudit.schema.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The names and signed text of an evidence bundle (README, "Evidence bundles"): one ZIP archive
 * holding, in this order, the public keys the server knew ({@value #KEYS}), the signed checkpoints
 * the records are proven against ({@value #CHECKPOINTS}), for a range bundle the hashes that tie
 * the range to its checkpoints ({@value #RANGE}), the records as stored ({@value #RECORDS}), one
 * proof line per record ({@value #PROOFS}), the manifest ({@value #MANIFEST}: each file's SHA-256,
 * the query, the caller, the time) and the manifest's signature ({@value #SIGNATURE}, a signed note
 * whose text names the manifest's SHA-256).
 */
public final class Bundle {
  public static final String FORMAT = "mcp-audit-bundle/v1";
  public static final String KEYS = "keys.txt";
  public static final String CHECKPOINTS = "checkpoints.ndjson";
  public static final String RANGE = "range.json";

  /** In a bundle of an alert's evidence: the alert's own proof in its tenant's alert log. */
  public static final String ALERT_PROOF = "alert-proof.json";

  public static final String RECORDS = "records.ndjson";
  public static final String PROOFS = "proofs.ndjson";
  public static final String MANIFEST = "manifest.json";
  public static final String SIGNATURE = "manifest.sig";

  /** A bundle of the records a query matched: each is genuine; nothing says all are there. */
  public static final String FILTERED = "filtered";

  /** A bundle of whole leaf ranges of a tenant's logs: genuine and complete. */
  public static final String RANGE_KIND = "range";

  private Bundle() {}

  /** The text the manifest's signature signs. */
  public static String signedText(byte[] manifest) {
    return FORMAT + "\nmanifest sha256 " + sha256(manifest) + "\n";
  }

  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(MerkleHash.digestOf(bytes));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static boolean same(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
