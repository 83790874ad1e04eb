package dev.mcpaudit.bench;

import java.util.Arrays;

/** p50/p99 of recorded latencies, in milliseconds. */
final class Percentiles {
  private Percentiles() {}

  static String of(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return String.format(
        "p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)",
        at(s, 0.50) / 1e6, at(s, 0.99) / 1e6, s[s.length - 1] / 1e6, s.length);
  }

  private static long at(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }
}
