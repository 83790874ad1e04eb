package dev.mcpaudit.queryapi.store.lucene;

import java.io.IOException;

/**
 * A map from ordinals of one segment (a key of up to three: the tool's server, method and name) to
 * a value: the one container the aggregations use to count and remember by ordinal, so a document
 * is aggregated without decoding a term, hashing a string or boxing an int.
 *
 * <p>Keyed by one ordinal of a field with few values ({@link #forField}), the values sit in an
 * array indexed by ordinal (indexing beats hashing); otherwise an open-addressing table grows with
 * the keys actually put, so a query matching ten documents of a field with millions of values costs
 * ten slots, not the dictionary. Ordinals may be -1 (no value) in a three-ordinal key; values are
 * never null.
 */
final class OrdMap<V> {
  /**
   * Up to this many values in a field's dictionary, an array indexed by ordinal: 32 KiB at most.
   */
  static final int DENSE_UP_TO = 4096;

  /** Non-null in the dense form: the value of each ordinal. */
  private Object[] dense;

  private int[] keys;
  private Object[] values;
  private int size;

  private OrdMap(boolean dense, int valueCount) {
    if (dense) {
      this.dense = new Object[valueCount];
    } else {
      this.keys = new int[3 * 16];
      this.values = new Object[16];
    }
  }

  /** Keyed by up to three ordinals, of any number of values. */
  static <V> OrdMap<V> hashed() {
    return new OrdMap<>(false, 0);
  }

  /** Keyed by one ordinal of a field whose segment dictionary holds {@code valueCount} values. */
  static <V> OrdMap<V> forField(int valueCount) {
    return new OrdMap<>(valueCount <= DENSE_UP_TO, valueCount);
  }

  /** How many keys have a value. */
  int size() {
    return size;
  }

  V get(int ord) {
    if (dense != null) {
      @SuppressWarnings("unchecked")
      V v = (V) dense[ord];
      return v;
    }
    return get(ord, 0, 0);
  }

  void put(int ord, V value) {
    if (dense != null) {
      if (dense[ord] == null) {
        size++;
      }
      dense[ord] = value;
    } else {
      put(ord, 0, 0, value);
    }
  }

  /** Adds a one-ordinal key; true when it was not there yet (a set of ordinals). */
  boolean add(int ord, V marker) {
    if (get(ord) != null) {
      return false;
    }
    put(ord, marker);
    return true;
  }

  @SuppressWarnings("unchecked")
  V get(int a, int b, int c) {
    requireHashed();
    int mask = values.length - 1;
    for (int i = mix(a, b, c) & mask; ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return null;
      }
      int k = i * 3;
      if (keys[k] == a && keys[k + 1] == b && keys[k + 2] == c) {
        return (V) v;
      }
    }
  }

  void put(int a, int b, int c, V value) {
    requireHashed();
    if ((size + 1) * 2 > values.length) {
      grow();
    }
    int mask = values.length - 1;
    for (int i = mix(a, b, c) & mask; ; i = (i + 1) & mask) {
      int k = i * 3;
      if (values[i] == null) {
        keys[k] = a;
        keys[k + 1] = b;
        keys[k + 2] = c;
        values[i] = value;
        size++;
        return;
      }
      if (keys[k] == a && keys[k + 1] == b && keys[k + 2] == c) {
        values[i] = value;
        return;
      }
    }
  }

  /** What to do with each one-ordinal key and its value. */
  interface Each<V> {
    void accept(int ord, V value) throws IOException;
  }

  /** Every one-ordinal key with its value; in ordinal order in the dense form, else unordered. */
  @SuppressWarnings("unchecked")
  void forEach(Each<V> each) throws IOException {
    if (dense != null) {
      for (int ord = 0; ord < dense.length; ord++) {
        if (dense[ord] != null) {
          each.accept(ord, (V) dense[ord]);
        }
      }
      return;
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        each.accept(keys[i * 3], (V) values[i]);
      }
    }
  }

  private void requireHashed() {
    if (dense != null) {
      throw new IllegalStateException("a dense ordinal map has one-ordinal keys");
    }
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new Object[oldValues.length * 2];
    size = 0;
    for (int i = 0; i < oldValues.length; i++) {
      if (oldValues[i] != null) {
        @SuppressWarnings("unchecked")
        V v = (V) oldValues[i];
        put(oldKeys[i * 3], oldKeys[i * 3 + 1], oldKeys[i * 3 + 2], v);
      }
    }
  }

  private static int mix(int a, int b, int c) {
    int h = a * 0x9E3779B9 + b * 0x85EBCA6B + c * 0xC2B2AE35;
    return h ^ (h >>> 15);
  }
}
