package dev.mcpaudit.runtime.config;

import dev.mcpaudit.schema.validation.EventValidator;
import java.time.Duration;

/**
 * Contract checks every receiving role applies alike, read from the same keys: {@code
 * validation.max-future-skew}, how far {@code occurred_at} may run ahead of the receiver's clock
 * (default 5m, at most 24h).
 */
public final class ValidationSettings {
  static final Duration MOST = Duration.ofHours(24);

  private ValidationSettings() {}

  public static Duration maxFutureSkew(Settings s) {
    Duration d = s.duration("validation.max-future-skew", EventValidator.DEFAULT_MAX_FUTURE_SKEW);
    if (d.compareTo(MOST) > 0) {
      throw new ConfigException("validation.max-future-skew: at most 24h (a gateway clock further ahead is a fault), got "
          + s.string("validation.max-future-skew", ""));
    }
    return d;
  }
}
