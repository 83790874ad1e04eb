package dev.mcpaudit.schema.evidence;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The canonical form of a log entry (README, "Verifiable evidence"): one JSON object,
 *
 * <pre>{"format":"mcp-audit-leaf/v1","provenance":{"kind":K,"by":B},"record":R}</pre>
 *
 * with no whitespace, where R is the stored record byte for byte (the event JSON as the indexer
 * stored it, with the collector's {@code received_at} when it has one), and K and B how it arrived
 * ({@code by} is {@code null} when nothing vouched for it). Strings are written as RFC 8785 writes
 * them: {@code "} and {@code \} escaped, control characters as {@code \b \t \n \f \r} or a
 * six-character escape with four lower-case hex digits, everything else as its UTF-8 bytes. The
 * leaf hash is {@code SHA-256(0x00 || form)}.
 */
public final class LeafForm {
  private static final byte[] HEAD =
      "{\"format\":\"mcp-audit-leaf/v1\",\"provenance\":{\"kind\":"
          .getBytes(StandardCharsets.UTF_8);

  private static final byte[] BY = ",\"by\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);
  private static final byte[] RECORD = "},\"record\":".getBytes(StandardCharsets.UTF_8);

  private static final int MAX_HEADS = 4096;
  private static final java.util.concurrent.ConcurrentHashMap<String, byte[]> HEADS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private LeafForm() {}

  public static byte[] bytes(byte[] record, String provenance, String by) {
    byte[] head = head(provenance, by);
    ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + record.length);
    out.write(head, 1, head.length - 1); // the form without the leaf hash's 0x00
    out.writeBytes(record);
    out.write('}');
    return out.toByteArray();
  }

  /**
   * The leaf hash of a stored record: {@code SHA-256(0x00 || bytes(...))}, hashed in pieces without
   * copying the record (the indexer makes one per stored record).
   */
  public static byte[] hash(byte[] record, String provenance, String by) {
    MessageDigest d = MerkleHash.digest();
    d.update(head(provenance, by));
    d.update(record);
    d.update((byte) '}');
    return d.digest();
  }

  /**
   * {@code 0x00} and the form up to the record, per provenance: a deployment has a few sources, so
   * they are kept (a bounded number) instead of written again for every record.
   */
  private static byte[] head(String provenance, String by) {
    String key = provenance + '\u0000' + by;
    byte[] head = HEADS.get(key);
    if (head == null) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(128);
      out.write(0x00);
      out.writeBytes(HEAD);
      string(out, provenance);
      out.writeBytes(BY);
      if (by == null) {
        out.writeBytes(NULL);
      } else {
        string(out, by);
      }
      out.writeBytes(RECORD);
      head = out.toByteArray();
      if (HEADS.size() < MAX_HEADS) {
        HEADS.put(key, head);
      }
    }
    return head;
  }

  private static void string(ByteArrayOutputStream out, String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\b' -> b.append("\\b");
        case '\t' -> b.append("\\t");
        case '\n' -> b.append("\\n");
        case '\f' -> b.append("\\f");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    out.writeBytes(b.append('"').toString().getBytes(StandardCharsets.UTF_8));
  }
}
