package dev.mcpaudit.schema.evidence;

import java.util.Arrays;

/**
 * Perfect subtrees read once for many proofs of one tree: a bundle proves thousands of records of
 * one log against one checkpoint, and neighbouring leaves share almost all of their paths. Each
 * level keeps its last few nodes (direct-mapped by index), so memory is bounded whatever the
 * bundle's size, and records that come roughly in leaf order read each stored node about once.
 */
public final class NodeCache implements PerfectNodes {
  private static final int SLOTS = 32;

  private final PerfectNodes nodes;
  private final long[][] keys = new long[64][SLOTS];
  private final byte[][][] hashes = new byte[64][SLOTS][];

  public NodeCache(PerfectNodes nodes) {
    this.nodes = nodes;
    for (long[] k : keys) {
      Arrays.fill(k, -1);
    }
  }

  @Override
  public byte[] node(int level, long index) {
    int slot = (int) (index & (SLOTS - 1));
    if (keys[level][slot] == index) {
      return hashes[level][slot];
    }
    byte[] h = nodes.node(level, index);
    keys[level][slot] = index;
    hashes[level][slot] = h;
    return h;
  }
}
