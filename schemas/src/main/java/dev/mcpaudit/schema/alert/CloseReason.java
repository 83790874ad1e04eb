package dev.mcpaudit.schema.alert;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/**
 * Why an alert was closed, from a fixed list so closures can be counted and compared (the
 * classification of Elastic Security and Sentinel).
 */
public enum CloseReason {
  /** The detector was right: something was wrong. */
  TRUE_POSITIVE,
  /** The detector was wrong: nothing happened that the rule means. */
  FALSE_POSITIVE,
  /** It happened as the rule says, and it is expected (a test, a known job). */
  BENIGN,
  /** Another alert covers the same case. */
  DUPLICATE,
  OTHER;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<CloseReason> parse(String text) {
    for (CloseReason r : values()) {
      if (r.wire().equals(text)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
