package dev.mcpaudit.schema.alert;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** Where an analyst's work on an alert stands (docs/alerts.md, "Lifecycle"). */
public enum AlertStatus {
  /** Nobody has taken it up yet: every alert starts here, and a reopened one returns here. */
  OPEN,
  /** Someone is looking at it. */
  ACKNOWLEDGED,
  /** Decided, with a {@link CloseReason}. */
  CLOSED;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AlertStatus> parse(String text) {
    for (AlertStatus s : values()) {
      if (s.wire().equals(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
