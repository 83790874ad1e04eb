package dev.mcpaudit.schema.evidence;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hashing of RFC 9162 (section 2.1.1), SHA-256 with domain separation: a leaf is {@code
 * SHA-256(0x00 || bytes)}, an inner node {@code SHA-256(0x01 || left || right)}, and the empty
 * tree's root {@code SHA-256()}. The prefixes keep a leaf from passing for a node.
 */
public final class MerkleHash {
  public static final int SIZE = 32;

  private MerkleHash() {}

  public static byte[] leaf(byte[] entry) {
    MessageDigest d = digest();
    d.update((byte) 0x00);
    d.update(entry);
    return d.digest();
  }

  public static byte[] node(byte[] left, byte[] right) {
    MessageDigest d = digest();
    d.update((byte) 0x01);
    d.update(left);
    d.update(right);
    return d.digest();
  }

  /**
   * The root of a perfect subtree from its row of hashes at one level, left to right (a power of
   * two of them): what a log's stored levels are read back with. The row is overwritten.
   */
  public static byte[] up(byte[][] row) {
    for (int width = row.length; width > 1; width /= 2) {
      for (int i = 0; i < width / 2; i++) {
        row[i] = node(row[2 * i], row[2 * i + 1]);
      }
    }
    return row[0];
  }

  public static byte[] empty() {
    return sha256().digest();
  }

  /** The plain SHA-256 of {@code bytes} (no prefix): what manifests name files by. */
  public static byte[] digestOf(byte[] bytes) {
    return digest().digest(bytes);
  }

  /** A new plain SHA-256, for hashing a stream. */
  public static MessageDigest newDigest() {
    return sha256();
  }

  /** One SHA-256 per thread, reset: looking a digest up costs more than hashing a node. */
  private static final ThreadLocal<MessageDigest> DIGESTS =
      ThreadLocal.withInitial(MerkleHash::sha256);

  static MessageDigest digest() {
    MessageDigest d = DIGESTS.get();
    d.reset();
    return d;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
