package dev.mcpaudit.schema.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** The kinds of event of contract v1: one authorization decision, or a step in a handle's life. */
public enum EventKind {
  DECISION("decision"),
  HANDLE_ISSUED("handle.issued"),
  HANDLE_REVOKED("handle.revoked"),
  HANDLE_EXPIRED("handle.expired"),
  HANDLE_ROTATED("handle.rotated");

  private final String wire;

  EventKind(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  public boolean isHandleLifecycle() {
    return this != DECISION;
  }

  public static Optional<EventKind> fromWire(String value) {
    return Arrays.stream(values()).filter(k -> k.wire.equals(value)).findFirst();
  }

  @JsonCreator
  static EventKind parse(String value) {
    return fromWire(value).orElseThrow(() -> new IllegalArgumentException("unknown kind " + value));
  }
}
