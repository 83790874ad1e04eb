package dev.mcpaudit.queryapi.store;

/**
 * Long arithmetic that stops at {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} instead of
 * wrapping: times and spans come from callers, and a window near the ends of the long range must
 * not turn into its opposite.
 */
public final class Saturating {
  private Saturating() {}

  /** {@code a + b}, or the nearest long when the sum does not fit in one. */
  public static long add(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** {@code a - b}, or the nearest long when the difference does not fit in one. */
  public static long subtract(long a, long b) {
    long r = a - b;
    if (((a ^ b) & (a ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** {@code a * b} for {@code a, b >= 0}, or {@link Long#MAX_VALUE} when it does not fit. */
  public static long multiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
  }
}
