package dev.mcpaudit.schema.alert;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How urgently a person should look. */
public enum Severity {
  LOW,
  MEDIUM,
  HIGH,
  CRITICAL;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
