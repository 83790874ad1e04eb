package dev.mcpaudit.schema.event;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Known reason codes and their polarity. Custom codes are allowed (they only have to match {@link
 * #FORMAT}); a known code must agree with the decision it explains, because an {@code allow} with
 * {@code HANDLE_REVOKED} is a gateway bug that would poison every report.
 */
public final class ReasonCodes {
  public static final Pattern FORMAT = Pattern.compile("^[A-Z][A-Z0-9_]{1,63}$");

  public static final Set<String> ALLOW = Set.of("ALLOWED", "ALLOWED_BREAK_GLASS");

  public static final Set<String> DENY =
      Set.of(
          "HANDLE_MISSING",
          "HANDLE_UNKNOWN",
          "HANDLE_EXPIRED",
          "HANDLE_REVOKED",
          "HANDLE_SCOPE_MISMATCH",
          "HANDLE_ACTOR_MISMATCH",
          "CREDENTIAL_INVALID",
          "CREDENTIAL_EXPIRED",
          "AUDIENCE_MISMATCH",
          "REPLAY_DETECTED",
          "POLICY_DENY",
          "RATE_LIMITED",
          "POLICY_ERROR");

  private ReasonCodes() {}

  /** The decision a known code belongs to; empty for a custom code. */
  public static Optional<Decision> polarity(String code) {
    if (ALLOW.contains(code)) {
      return Optional.of(Decision.ALLOW);
    }
    if (DENY.contains(code)) {
      return Optional.of(Decision.DENY);
    }
    return Optional.empty();
  }
}
