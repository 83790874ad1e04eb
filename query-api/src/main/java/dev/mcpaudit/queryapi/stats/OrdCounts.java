package dev.mcpaudit.queryapi.stats;

import java.util.Arrays;

/**
 * count, allow and deny per ordinal of one segment, for the ordinals the query matched only. A
 * field with few values gets a dense array (indexing beats hashing); one with many (actor ids,
 * handle ids: millions in a large index) gets an open-addressing table that grows with the distinct
 * values matched, so a query matching ten events costs ten slots, not the dictionary.
 */
final class OrdCounts {
  /** Up to this many values in the segment's dictionary, a dense array: at most 96 KiB. */
  static final int DENSE_UP_TO = 4096;

  private static final int EMPTY = -1;

  private final boolean dense;
  private final int maxDistinct;
  private int[] keys;
  private long[] counts;
  private int distinct;

  /**
   * @param maxDistinct past this many distinct ordinals {@link #add} throws {@link TooMany}
   */
  OrdCounts(int valueCount, int maxDistinct) {
    this.maxDistinct = maxDistinct;
    this.dense = valueCount <= DENSE_UP_TO;
    if (dense) {
      counts = new long[valueCount * 3];
    } else {
      keys = new int[64];
      Arrays.fill(keys, EMPTY);
      counts = new long[64 * 3];
    }
  }

  /** More distinct values matched than the cap allows. */
  static final class TooMany extends RuntimeException {
    TooMany() {
      super(null, null, false, false);
    }
  }

  /**
   * @param decision 0 neither, 1 allow, 2 deny
   */
  void add(int ord, int decision) {
    int slot = dense ? ord : slot(ord);
    int at = slot * 3;
    if (dense && counts[at] == 0 && ++distinct > maxDistinct) {
      throw new TooMany();
    }
    counts[at]++;
    if (decision != 0) {
      counts[at + decision]++;
    }
  }

  private int slot(int ord) {
    int mask = keys.length - 1;
    for (int i = mix(ord) & mask; ; i = (i + 1) & mask) {
      if (keys[i] == ord) {
        return i;
      }
      if (keys[i] == EMPTY) {
        if (++distinct > maxDistinct) {
          throw new TooMany();
        }
        if (distinct * 2 > keys.length) {
          grow();
          return slot(ord);
        }
        keys[i] = ord;
        return i;
      }
    }
  }

  private void grow() {
    int[] oldKeys = keys;
    long[] oldCounts = counts;
    keys = new int[oldKeys.length * 2];
    Arrays.fill(keys, EMPTY);
    counts = new long[keys.length * 3];
    int mask = keys.length - 1;
    distinct--; // the value being added is counted again once it has its slot
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != EMPTY) {
        int i = mix(oldKeys[j]) & mask;
        while (keys[i] != EMPTY) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        System.arraycopy(oldCounts, j * 3, counts, i * 3, 3);
      }
    }
  }

  private static int mix(int ord) {
    return ord * 0x9E3779B9 ^ (ord >>> 16);
  }

  /** What to do with each matched ordinal. */
  interface Each {
    void accept(int ord, long count, long allow, long deny) throws java.io.IOException;
  }

  void forEach(Each each) throws java.io.IOException {
    int slots = counts.length / 3;
    for (int i = 0; i < slots; i++) {
      if (counts[i * 3] > 0) {
        each.accept(dense ? i : keys[i], counts[i * 3], counts[i * 3 + 1], counts[i * 3 + 2]);
      }
    }
  }
}
