package dev.mcpaudit.schema.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** The outcome of one authorization decision. */
public enum Decision {
  ALLOW,
  DENY;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Decision> fromWire(String value) {
    return switch (value) {
      case "allow" -> Optional.of(ALLOW);
      case "deny" -> Optional.of(DENY);
      default -> Optional.empty();
    };
  }

  @JsonCreator
  static Decision parse(String value) {
    return fromWire(value)
        .orElseThrow(() -> new IllegalArgumentException("unknown decision " + value));
  }
}
