package dev.mcpaudit.schema.alert;

import java.util.List;
import java.util.Optional;

/**
 * The OWASP Top 10 for Agentic Applications (2026), by identifier: what an alert is evidence of, in
 * the words a risk register uses (README, "Alert rules"). Every built-in alert type carries the
 * ones it speaks to ({@link #of(AlertType)}); an analyst's rule carries its own.
 */
public enum AgenticRisk {
  ASI01("Agent Goal Hijack"),
  ASI02("Tool Misuse and Exploitation"),
  ASI03("Identity and Privilege Abuse"),
  ASI04("Agentic Supply Chain Vulnerabilities"),
  ASI05("Unexpected Code Execution"),
  ASI06("Memory and Context Poisoning"),
  ASI07("Insecure Inter-Agent Communication"),
  ASI08("Cascading Failures"),
  ASI09("Human-Agent Trust Exploitation"),
  ASI10("Rogue Agents");

  private final String title;

  AgenticRisk(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }

  /**
   * The identifier with its title, as the UI shows it: {@code ASI03 Identity and Privilege Abuse}.
   */
  public String label() {
    return name() + " " + title;
  }

  public static Optional<AgenticRisk> fromId(String id) {
    for (AgenticRisk r : values()) {
      if (r.name().equals(id)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /**
   * What a built-in alert type is evidence of. A credential that still works after it should not
   * (replayed, revoked, expired), or one worker honouring what another refuses, is identity and
   * privilege abuse; an agent hammering tools it is refused is tool misuse and, persisting, a rogue
   * agent; a worker on an old policy lets the failure spread (cascading); a source that forges time
   * or rewrites an event id's content attacks the integrity of what agents and gateways tell each
   * other. A custom rule has none unless its author names them.
   */
  public static List<String> of(AlertType type) {
    return switch (type) {
      case REPLAY, REVOKED_HANDLE_USE, EXPIRED_HANDLE_USE -> List.of(ASI03.name());
      case DENY_BURST -> List.of(ASI02.name(), ASI10.name());
      case INCONSISTENT_DECISION -> List.of(ASI03.name(), ASI08.name());
      case FUTURE_TIMESTAMP, CONFLICTING_DUPLICATE -> List.of(ASI07.name());
      case CUSTOM_RULE -> List.of();
    };
  }
}
