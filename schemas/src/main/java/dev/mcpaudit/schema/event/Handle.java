package dev.mcpaudit.schema.event;

import java.time.Instant;
import java.util.List;

/**
 * The explicit, revocable application handle a call carried: the only continuity MCP keeps once
 * protocol sessions are gone. {@code previousId} links a rotated handle to the one it replaced.
 */
public record Handle(
    String id,
    String task,
    Instant issuedAt,
    Instant expiresAt,
    List<String> scopes,
    String issuer,
    String previousId) {

  public Handle {
    scopes = scopes == null ? null : List.copyOf(scopes);
  }

  public static Handle of(String id) {
    return new Handle(id, null, null, null, null, null, null);
  }
}
