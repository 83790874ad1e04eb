package dev.mcpaudit.schema.alert;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An alert of the detector (contract in {@code alert.v1.schema.json}). {@code alertId} is derived
 * from type, subject and suppression window, so a detector restart re-emits the same id and
 * consumers can drop the repeat. {@code evidence} lists the event ids that made the case.
 *
 * @param rule the analyst's rule that raised it (type CUSTOM_RULE only)
 * @param owasp the OWASP Top 10 for Agentic Applications identifiers it is evidence of ({@link
 *     AgenticRisk}); an alert read without them (written before they existed) gets its type's
 */
public record Alert(
    String alertId,
    AlertType type,
    Severity severity,
    String tenant,
    Instant detectedAt,
    String subject,
    String actor,
    String handle,
    String tool,
    List<String> evidence,
    String summary,
    RuleRef rule,
    List<String> owasp) {

  /** Which rule raised an alert, at which version. */
  public record RuleRef(String id, String name, int version) {
    public RuleRef {
      Objects.requireNonNull(id, "rule.id");
      Objects.requireNonNull(name, "rule.name");
    }
  }

  public Alert {
    Objects.requireNonNull(alertId, "alert_id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(detectedAt, "detected_at");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(summary, "summary");
    evidence = List.copyOf(evidence);
    if (evidence.isEmpty()) {
      throw new IllegalArgumentException("an alert needs at least one evidence event id");
    }
    owasp = owasp == null ? AgenticRisk.of(type) : List.copyOf(owasp);
  }

  /** A built-in rule's alert: no rule, its type's OWASP identifiers. */
  public Alert(
      String alertId,
      AlertType type,
      Severity severity,
      String tenant,
      Instant detectedAt,
      String subject,
      String actor,
      String handle,
      String tool,
      List<String> evidence,
      String summary) {
    this(
        alertId,
        type,
        severity,
        tenant,
        detectedAt,
        subject,
        actor,
        handle,
        tool,
        evidence,
        summary,
        null,
        null);
  }
}
