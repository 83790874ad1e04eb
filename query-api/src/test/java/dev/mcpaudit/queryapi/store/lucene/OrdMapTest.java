package dev.mcpaudit.queryapi.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Dense or hashed, one ordinal or three, the map holds what a plain map holds. */
class OrdMapTest {
  @Test
  void oneOrdinalKeysDenseOrHashedEqualAPlainMap() throws Exception {
    for (int valueCount : new int[] {10, OrdMap.DENSE_UP_TO, 5_000_000}) {
      OrdMap<long[]> m = OrdMap.forField(valueCount);
      Map<Integer, Long> want = new HashMap<>();
      SplittableRandom r = new SplittableRandom(valueCount);
      for (int i = 0; i < 50_000; i++) {
        int ord = r.nextInt(Math.min(valueCount, 3_000));
        long[] c = m.get(ord);
        if (c == null) {
          c = new long[1];
          m.put(ord, c);
        }
        c[0]++;
        want.merge(ord, 1L, Long::sum);
      }
      Map<Integer, Long> got = new HashMap<>();
      m.forEach((ord, c) -> got.put(ord, c[0]));
      assertThat(got).as("values " + valueCount).isEqualTo(want);
      assertThat(m.size()).isEqualTo(want.size());
    }
  }

  @Test
  void threeOrdinalKeysAreDistinctIncludingMissingValues() {
    OrdMap<String> m = OrdMap.hashed();
    SplittableRandom r = new SplittableRandom(7);
    Map<String, String> want = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      int a = r.nextInt(-1, 40);
      int b = r.nextInt(-1, 3);
      int c = r.nextInt(-1, 200);
      String key = a + "/" + b + "/" + c;
      if (m.get(a, b, c) == null) {
        m.put(a, b, c, key);
      }
      want.putIfAbsent(key, key);
    }
    assertThat(m.size()).isEqualTo(want.size());
    want.keySet()
        .forEach(
            k -> {
              String[] p = k.split("/");
              assertThat(
                      m.get(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])))
                  .isEqualTo(k);
            });
  }

  @Test
  void asASetAddSaysWhetherTheOrdinalIsNew() {
    OrdMap<Boolean> seen = OrdMap.hashed();
    assertThat(seen.add(5, Boolean.TRUE)).isTrue();
    assertThat(seen.add(5, Boolean.TRUE)).isFalse();
    assertThat(seen.add(6, Boolean.TRUE)).isTrue();
    assertThat(seen.size()).isEqualTo(2);
  }

  @Test
  void aDenseMapRefusesThreeOrdinalKeys() {
    OrdMap<String> dense = OrdMap.forField(10);
    assertThatThrownBy(() -> dense.put(1, 2, 3, "x")).isInstanceOf(IllegalStateException.class);
  }
}
