package dev.mcpaudit.queryapi.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Counts per matched ordinal equal a plain map's, dense or hashed, and stop at the cap. */
class OrdCountsTest {
  private static Map<Integer, long[]> counted(OrdCounts c) throws Exception {
    Map<Integer, long[]> out = new HashMap<>();
    c.forEach((ord, count, allow, deny) -> out.put(ord, new long[] {count, allow, deny}));
    return out;
  }

  @Test
  void denseAndHashedCountsEqualAPlainMap() throws Exception {
    for (int valueCount : new int[] {10, OrdCounts.DENSE_UP_TO, 5_000_000}) {
      OrdCounts c = new OrdCounts(valueCount, 100_000);
      Map<Integer, long[]> want = new HashMap<>();
      SplittableRandom r = new SplittableRandom(valueCount);
      for (int i = 0; i < 50_000; i++) {
        int ord = r.nextInt(Math.min(valueCount, 3_000));
        int decision = r.nextInt(3);
        c.add(ord, decision);
        long[] w = want.computeIfAbsent(ord, k -> new long[3]);
        w[0]++;
        if (decision > 0) {
          w[decision]++;
        }
      }
      Map<Integer, long[]> got = counted(c);
      assertThat(got.keySet()).as("values " + valueCount).isEqualTo(want.keySet());
      want.forEach((ord, w) -> assertThat(got.get(ord)).as("ord " + ord).containsExactly(w));
    }
  }

  @Test
  void pastTheCapOfDistinctValuesItStops() {
    for (int valueCount : new int[] {100, 1_000_000}) {
      OrdCounts c = new OrdCounts(valueCount, 50);
      for (int ord = 0; ord < 50; ord++) {
        c.add(ord, 0);
        c.add(ord, 1); // the same values again do not count against the cap
      }
      assertThatThrownBy(() -> c.add(99, 0)).isInstanceOf(OrdCounts.TooMany.class);
    }
  }
}
