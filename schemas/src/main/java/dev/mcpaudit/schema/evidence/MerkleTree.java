package dev.mcpaudit.schema.evidence;

import java.util.ArrayList;
import java.util.List;

/**
 * A Merkle tree over leaf hashes held in memory, computing roots and the proofs of RFC 9162 by the
 * RFC's own recursive definitions (MTH, PATH, PROOF/SUBPROOF in sections 2.1.1, 2.1.3.1, 2.1.4.1).
 * The reference the log's incremental implementation and its tests are held to; each answer costs
 * time linear in the size asked about, and is a copy (changing it changes nothing here).
 */
public final class MerkleTree {
  private final List<byte[]> leaves = new ArrayList<>();

  /** Appends a leaf by its hash ({@link MerkleHash#leaf}); returns its index. */
  public long append(byte[] leafHash) {
    leaves.add(leafHash.clone());
    return leaves.size() - 1L;
  }

  public long size() {
    return leaves.size();
  }

  /** The root of the first {@code size} leaves (MTH). */
  public byte[] root(long size) {
    check(size <= leaves.size() && size >= 0, "size " + size);
    return size == 0 ? MerkleHash.empty() : mth(0, (int) size).clone();
  }

  /**
   * The inclusion proof of leaf {@code index} in the tree of the first {@code size} leaves (PATH).
   */
  public List<byte[]> inclusion(long index, long size) {
    check(size <= leaves.size() && index >= 0 && index < size, "index " + index + " of " + size);
    List<byte[]> out = new ArrayList<>();
    path((int) index, 0, (int) size, out);
    return out;
  }

  /**
   * The consistency proof between the trees of the first {@code size1} and {@code size2} leaves
   * (PROOF); empty when the sizes are equal.
   */
  public List<byte[]> consistency(long size1, long size2) {
    check(size1 > 0 && size1 <= size2 && size2 <= leaves.size(), size1 + " to " + size2);
    List<byte[]> out = new ArrayList<>();
    if (size1 < size2) {
      subproof((int) size1, 0, (int) size2, true, out);
    }
    return out;
  }

  private byte[] mth(int from, int to) {
    if (to - from == 1) {
      return leaves.get(from);
    }
    int k = split(to - from);
    return MerkleHash.node(mth(from, from + k), mth(from + k, to));
  }

  /** PATH(m, D[from:to]), appended bottom up. */
  private void path(int m, int from, int to, List<byte[]> out) {
    if (to - from == 1) {
      return;
    }
    int k = split(to - from);
    if (m < k) {
      path(m, from, from + k, out);
      out.add(mth(from + k, to).clone());
    } else {
      path(m - k, from + k, to, out);
      out.add(mth(from, from + k).clone());
    }
  }

  /** SUBPROOF(m, D[from:to], whole), appended bottom up. */
  private void subproof(int m, int from, int to, boolean whole, List<byte[]> out) {
    int n = to - from;
    if (m == n) {
      if (!whole) {
        out.add(mth(from, to).clone());
      }
      return;
    }
    int k = split(n);
    if (m <= k) {
      subproof(m, from, from + k, whole, out);
      out.add(mth(from + k, to).clone());
    } else {
      subproof(m - k, from + k, to, false, out);
      out.add(mth(from, from + k).clone());
    }
  }

  /** The largest power of two smaller than {@code n} (n at least 2). */
  static int split(int n) {
    return Integer.highestOneBit(n - 1);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("not in the tree: " + what);
    }
  }
}
