package dev.mcpaudit.schema.validation;

import java.time.Duration;

/**
 * A duration written the way configuration takes it ({@code 5m}, {@code 90s}, {@code 250ms}), for
 * messages.
 */
final class Durations {
  private Durations() {}

  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
