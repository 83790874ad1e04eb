package dev.mcpaudit.schema.evidence;

import java.security.MessageDigest;
import java.util.List;

/**
 * Checks RFC 9162 proofs (sections 2.1.3.2 and 2.1.4.2) with nothing but the hashes: what an
 * auditor runs, offline. Each check answers why a proof does not hold, or null when it does.
 */
public final class MerkleProofs {
  private MerkleProofs() {}

  /**
   * Whether {@code proof} shows the leaf with hash {@code leafHash} at {@code index} in the tree of
   * {@code size} leaves whose root is {@code root}.
   *
   * @return null when it does, else why not
   */
  public static String inclusionFails(
      long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
    if (index < 0 || index >= size) {
      return "leaf index " + index + " is not in a tree of " + size;
    }
    String shape = hashes(proof, leafHash, root);
    if (shape != null) {
      return shape;
    }
    long fn = index;
    long sn = size - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        return "the proof is longer than the tree is deep";
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHash.node(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = MerkleHash.node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      return "the proof is shorter than the tree is deep";
    }
    return MessageDigest.isEqual(r, root) ? null : "the proof leads to another root";
  }

  /** Every hash must be one: a shorter or longer value is a malformed proof, not a short hash. */
  private static String hashes(List<byte[]> proof, byte[]... values) {
    for (byte[] v : values) {
      if (v == null || v.length != MerkleHash.SIZE) {
        return "a hash is not " + MerkleHash.SIZE + " bytes";
      }
    }
    for (byte[] p : proof) {
      if (p == null || p.length != MerkleHash.SIZE) {
        return "a proof hash is not " + MerkleHash.SIZE + " bytes";
      }
    }
    return null;
  }

  /**
   * Whether {@code proof} shows that the tree of {@code size1} leaves with root {@code root1} is
   * the start of the tree of {@code size2} leaves with root {@code root2}: nothing was changed or
   * removed, only appended.
   *
   * @return null when it does, else why not
   */
  public static String consistencyFails(
      long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2) {
    if (size2 < size1) {
      return "the second tree (" + size2 + ") is smaller than the first (" + size1 + ")";
    }
    if (size1 <= 0) {
      return "a tree of " + size1 + " leaves proves nothing";
    }
    if (size1 == size2) {
      if (!proof.isEmpty()) {
        return "trees of one size need no proof, and one was given";
      }
      return MessageDigest.isEqual(root1, root2) ? null : "one size, two roots";
    }
    if (proof.isEmpty()) {
      return "no proof";
    }
    String shape = hashes(proof, root1, root2);
    if (shape != null) {
      return shape;
    }
    int i = 0;
    byte[] first;
    if (Long.bitCount(size1) == 1) {
      first = root1; // the old tree is a whole subtree of the new one: its root starts the path
    } else {
      first = proof.get(i++);
    }
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>= 1;
      sn >>= 1;
    }
    byte[] fr = first;
    byte[] sr = first;
    for (; i < proof.size(); i++) {
      byte[] c = proof.get(i);
      if (sn == 0) {
        return "the proof is longer than the trees are deep";
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = MerkleHash.node(c, fr);
        sr = MerkleHash.node(c, sr);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        sr = MerkleHash.node(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    if (sn != 0) {
      return "the proof is shorter than the trees are deep";
    }
    if (!MessageDigest.isEqual(fr, root1)) {
      return "the proof does not lead to the first root";
    }
    return MessageDigest.isEqual(sr, root2) ? null : "the proof does not lead to the second root";
  }
}
