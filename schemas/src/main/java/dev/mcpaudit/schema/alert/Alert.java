package dev.mcpaudit.schema.alert;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An alert of the detector (contract in {@code alert.v1.schema.json}). {@code alertId} is derived
 * from type, subject and suppression window, so a detector restart re-emits the same id and
 * consumers can drop the repeat. {@code evidence} lists the event ids that made the case.
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
    String summary) {

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
  }
}
