package dev.mcpaudit.schema.evidence;

import java.util.ArrayList;
import java.util.List;

/**
 * The right edge of an append-only Merkle tree: the roots of the perfect subtrees its leaves make
 * so far, largest first (one per set bit of the size). Appending costs one leaf and, on average,
 * one node hash; the root of the whole tree folds at most 64 of them. What the indexer keeps in
 * memory per log, and rebuilds from its stored nodes when it starts.
 */
public final class CompactRange {
  /**
   * A perfect subtree completed by an append: {@code 2^level} leaves from {@code index << level}.
   */
  public record Node(int level, long index, byte[] hash) {}

  private final List<byte[]> hashes = new ArrayList<>();
  private long size;

  /** The range of an empty tree. */
  public CompactRange() {}

  /**
   * The range of a tree of {@code size} leaves, from its perfect subtrees largest first, as {@link
   * PerfectNodes} gives them.
   */
  public static CompactRange of(long size, PerfectNodes nodes) {
    CompactRange r = new CompactRange();
    long start = 0;
    for (int level = 63; level >= 0; level--) {
      if ((size & (1L << level)) != 0) {
        r.hashes.add(nodes.node(level, start >>> level));
        start += 1L << level;
      }
    }
    r.size = size;
    return r;
  }

  /**
   * The range of a tree of {@code size} leaves from its perfect subtrees' roots, largest first (as
   * {@link #hashes} gives them).
   *
   * @throws IllegalArgumentException when there are not as many as the size has set bits
   */
  public static CompactRange of(long size, List<byte[]> hashes) {
    if (size < 0 || hashes.size() != Long.bitCount(size)) {
      throw new IllegalArgumentException(
          "a tree of " + size + " leaves has " + Long.bitCount(size) + " perfect subtrees");
    }
    CompactRange r = new CompactRange();
    hashes.forEach(h -> r.hashes.add(h.clone()));
    r.size = size;
    return r;
  }

  /** The roots of the perfect subtrees, largest first (copies). */
  public List<byte[]> hashes() {
    List<byte[]> out = new ArrayList<>(hashes.size());
    hashes.forEach(h -> out.add(h.clone()));
    return out;
  }

  public long size() {
    return size;
  }

  /**
   * Appends one leaf by its hash. {@code completed} receives every perfect subtree this append
   * completes, the leaf itself (level 0) first.
   */
  public void append(byte[] leafHash, List<Node> completed) {
    long index = size;
    byte[] h = leafHash;
    int level = 0;
    completed.add(new Node(0, index, h));
    // Each trailing one bit of the old size is a left sibling waiting for this subtree.
    while (((index >>> level) & 1) == 1) {
      byte[] left = hashes.remove(hashes.size() - 1);
      h = MerkleHash.node(left, h);
      level++;
      completed.add(new Node(level, index >>> level, h));
    }
    hashes.add(h);
    size++;
  }

  /** The root hash of the tree (the empty tree's when there are no leaves). */
  public byte[] root() {
    if (hashes.isEmpty()) {
      return MerkleHash.empty();
    }
    byte[] r = hashes.get(hashes.size() - 1);
    for (int i = hashes.size() - 2; i >= 0; i--) {
      r = MerkleHash.node(hashes.get(i), r);
    }
    return r;
  }
}
