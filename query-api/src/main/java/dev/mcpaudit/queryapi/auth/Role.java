package dev.mcpaudit.queryapi.auth;

import java.util.Locale;
import java.util.Optional;

/** What a token may do (README, "The query API"): each role includes the ones before it. */
public enum Role {
  /** Search, access summaries, handle timelines, stats, alerts. */
  ANALYST,
  /** Analyst, plus compliance exports. */
  AUDITOR,
  /** Auditor, plus configuration and the API's own audit trail (tenant _system). */
  ADMIN;

  public boolean includes(Role other) {
    return ordinal() >= other.ordinal();
  }

  public static Optional<Role> parse(String s) {
    try {
      return Optional.of(valueOf(s.strip().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
