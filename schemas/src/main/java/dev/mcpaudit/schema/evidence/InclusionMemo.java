package dev.mcpaudit.schema.evidence;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * Checks many inclusion proofs against one signed tree (RFC 9162, section 2.1.3.2), remembering the
 * nodes earlier proofs established: a path that reaches a node already proven to lead to the root
 * is proven there, so a bundle's records cost a leaf hash and a few node hashes each instead of a
 * whole path. A node is named by its level and index in the tree of this size, which every path of
 * that size computes alike; a path that reaches a remembered node with another hash fails. Memory
 * is a few slots per level, whatever the number of proofs.
 */
public final class InclusionMemo {
  private static final int SLOTS = 16;

  private final long size;
  private final byte[] root;
  private final long[][] keys = new long[64][SLOTS];
  private final byte[][][] hashes = new byte[64][SLOTS][];
  private final int[] pendingLevel = new int[66];
  private final long[] pendingIndex = new long[66];
  private final byte[][] pendingHash = new byte[66][];

  public InclusionMemo(long size, byte[] root) {
    this.size = size;
    this.root = root.clone();
    for (long[] k : keys) {
      Arrays.fill(k, -1);
    }
  }

  public long size() {
    return size;
  }

  /**
   * Null when leaf {@code index} with hash {@code leaf} is in the tree by {@code path}, else why
   * not.
   */
  public String fails(long index, byte[] leaf, List<byte[]> path) {
    if (index < 0 || index >= size) {
      return "leaf index " + index + " is outside the tree of " + size;
    }
    long fn = index;
    long sn = size - 1;
    int level = 0;
    byte[] r = leaf;
    int pending = 0;
    for (int i = 0; ; i++) {
      byte[] known = known(level, fn);
      if (known != null) {
        if (!MessageDigest.isEqual(known, r)) {
          return "the path reaches a node of the tree with another hash";
        }
        remember(pending);
        return null;
      }
      pendingLevel[pending] = level;
      pendingIndex[pending] = fn;
      pendingHash[pending++] = r;
      if (i == path.size()) {
        break;
      }
      if (sn == 0) {
        return "the path is longer than the leaf's path in a tree of " + size;
      }
      byte[] p = path.get(i);
      if ((fn & 1) == 1 || fn == sn) {
        r = MerkleHash.node(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
          level++;
        }
      } else {
        r = MerkleHash.node(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
      level++;
      if (level >= 64) {
        return "the path is longer than any tree's";
      }
    }
    if (sn != 0) {
      return "the path is shorter than the leaf's path in a tree of " + size;
    }
    if (!MessageDigest.isEqual(r, root)) {
      return "the path does not lead to the checkpoint's root";
    }
    remember(pending);
    return null;
  }

  private byte[] known(int level, long index) {
    int slot = (int) (index & (SLOTS - 1));
    return keys[level][slot] == index ? hashes[level][slot] : null;
  }

  private void remember(int pending) {
    for (int i = 0; i < pending; i++) {
      int slot = (int) (pendingIndex[i] & (SLOTS - 1));
      keys[pendingLevel[i]][slot] = pendingIndex[i];
      hashes[pendingLevel[i]][slot] = pendingHash[i];
    }
  }
}
