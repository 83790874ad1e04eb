package dev.mcpaudit.schema.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Who made the call: an autonomous agent, a person, or a non-agent service. */
public enum ActorType {
  AGENT,
  USER,
  SERVICE;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ActorType> fromWire(String value) {
    return Arrays.stream(values()).filter(t -> t.wire().equals(value)).findFirst();
  }

  @JsonCreator
  static ActorType parse(String value) {
    return fromWire(value)
        .orElseThrow(() -> new IllegalArgumentException("unknown actor type " + value));
  }
}
