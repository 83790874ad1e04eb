package dev.mcpaudit.runtime.auth;

import java.util.Optional;

/** Reads the token of an {@code Authorization: Bearer <token>} header (RFC 6750). */
public final class BearerToken {
  private BearerToken() {}

  public static Optional<String> from(String authorizationHeader) {
    if (authorizationHeader == null) {
      return Optional.empty();
    }
    String h = authorizationHeader.strip();
    if (h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    String token = h.substring(7).strip();
    return token.isEmpty() || token.length() > 4096 ? Optional.empty() : Optional.of(token);
  }
}
