package dev.mcpaudit.schema.event;

/** Who made the call (e.g. a SPIFFE ID), and the user it acted for, if any. */
public record Actor(String id, ActorType type, String onBehalfOf, String clientId) {

  public static Actor of(String id, ActorType type) {
    return new Actor(id, type, null, null);
  }
}
