package dev.mcpaudit.queryapi.export;

import java.time.Duration;

/**
 * What exports may hold: each one keeps a point-in-time reader (and its segment files) open and a
 * core busy for as long as it runs, so past these limits an export is refused with 429 and {@code
 * Retry-After} rather than queued (README, "The query API").
 *
 * @param maxConcurrent exports running at once in this process ({@code api.export.max-concurrent},
 *     default 4)
 * @param maxPerCaller exports running at once for one principal ({@code api.export.max-per-caller},
 *     default 2)
 * @param timeout longest one export may stream ({@code api.export.timeout}, default 1h); past it
 *     the connection is cut, so a partial file never looks complete
 */
public record ExportLimits(int maxConcurrent, int maxPerCaller, Duration timeout) {
  public ExportLimits {
    if (maxConcurrent < 1 || maxPerCaller < 1 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("export limits must be positive");
    }
  }

  public static ExportLimits defaults() {
    return new ExportLimits(4, 2, Duration.ofHours(1));
  }
}
