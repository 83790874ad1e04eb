package dev.mcpaudit.queryapi.access;

import java.io.IOException;

/**
 * A map from up to three ordinals of one segment to a value, open addressing over int arrays, so
 * looking up the tool (server, method, name) of a decision boxes nothing and hashes no string.
 * Ordinals may be -1 (no value); values are never null.
 */
final class OrdMap<V> {
  private int[] keys = new int[3 * 16];
  private Object[] values = new Object[16];
  private int size;

  @SuppressWarnings("unchecked")
  V get(int a, int b, int c) {
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

  /** Adds a one-ordinal key; true when it was not there yet. */
  boolean add(int a, V marker) {
    if (get(a, 0, 0) != null) {
      return false;
    }
    put(a, 0, 0, marker);
    return true;
  }

  /** What to do with each one-ordinal key and its value. */
  interface Each<V> {
    void accept(int ord, V value) throws IOException;
  }

  /** Every one-ordinal key with its value, in no particular order. */
  @SuppressWarnings("unchecked")
  void forEach(Each<V> each) throws IOException {
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        each.accept(keys[i * 3], (V) values[i]);
      }
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
