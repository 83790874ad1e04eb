package dev.mcpaudit.schema.evidence;

import java.util.ArrayList;
import java.util.List;

/**
 * Roots, inclusion proofs and consistency proofs of RFC 9162 (sections 2.1.1, 2.1.3.1, 2.1.4.1)
 * over a log's stored perfect subtrees, for any size up to the log's. Follows the RFC's recursive
 * definitions like {@link MerkleTree}, except that every left subtree in them is perfect and read
 * whole, and a right edge is split into perfect subtrees: a proof reads O(log² n) stored nodes
 * instead of every leaf.
 */
public final class TreeProofs {
  private final PerfectNodes nodes;

  public TreeProofs(PerfectNodes nodes) {
    this.nodes = nodes;
  }

  /** MTH of the first {@code size} leaves. */
  public byte[] root(long size) {
    check(size >= 0, "size " + size);
    return size == 0 ? MerkleHash.empty() : mth(0, size);
  }

  /** PATH: the inclusion proof of leaf {@code index} in the tree of {@code size} leaves. */
  public List<byte[]> inclusion(long index, long size) {
    check(index >= 0 && index < size, "index " + index + " of " + size);
    List<byte[]> out = new ArrayList<>();
    path(index, 0, size, out);
    return out;
  }

  /**
   * PROOF: the consistency proof from the tree of {@code size1} leaves to that of {@code size2}.
   */
  public List<byte[]> consistency(long size1, long size2) {
    check(size1 > 0 && size1 <= size2, size1 + " to " + size2);
    List<byte[]> out = new ArrayList<>();
    if (size1 < size2) {
      subproof(size1, 0, size2, true, out);
    }
    return out;
  }

  /** MTH(D[from:to]): one stored node when the range is a perfect subtree. */
  private byte[] mth(long from, long to) {
    long n = to - from;
    if (Long.bitCount(n) == 1 && from % n == 0) {
      int level = Long.numberOfTrailingZeros(n);
      return nodes.node(level, from >>> level);
    }
    long k = split(n);
    return MerkleHash.node(mth(from, from + k), mth(from + k, to));
  }

  private void path(long m, long from, long to, List<byte[]> out) {
    if (to - from == 1) {
      return;
    }
    long k = split(to - from);
    if (m < k) {
      path(m, from, from + k, out);
      out.add(mth(from + k, to));
    } else {
      path(m - k, from + k, to, out);
      out.add(mth(from, from + k));
    }
  }

  private void subproof(long m, long from, long to, boolean whole, List<byte[]> out) {
    long n = to - from;
    if (m == n) {
      if (!whole) {
        out.add(mth(from, to));
      }
      return;
    }
    long k = split(n);
    if (m <= k) {
      subproof(m, from, from + k, whole, out);
      out.add(mth(from + k, to));
    } else {
      subproof(m - k, from + k, to, false, out);
      out.add(mth(from, from + k));
    }
  }

  /** The largest power of two smaller than {@code n} (n at least 2). */
  private static long split(long n) {
    return Long.highestOneBit(n - 1);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("not in the tree: " + what);
    }
  }
}
