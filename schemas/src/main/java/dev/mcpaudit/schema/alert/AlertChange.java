package dev.mcpaudit.schema.alert;

import java.time.Instant;
import java.util.Objects;

/**
 * One change to an alert's workflow state, as the API writes it to the alert-changes topic
 * (docs/alerts.md, "The topic"): who made it, when, the state it was made on and the state it
 * leaves, and an optional note. {@code version} is the alert's version after the change: a change
 * applies only on top of version {@code version - 1} in exactly its {@code from} state, so two
 * writers who both saw the same version cannot both win, whichever reader replays the topic.
 *
 * @param changeId unique per change (repeats of one change are one change)
 * @param alertDetectedAt the alert's detection time, so a store can place the change before it has
 *     read the alert itself
 * @param by the principal who made the change
 * @param note free text added with the change, or null
 */
public record AlertChange(
    String changeId,
    String tenant,
    String alertId,
    Instant alertDetectedAt,
    int version,
    Instant at,
    String by,
    AlertState from,
    AlertState to,
    String note) {
  public AlertChange {
    Objects.requireNonNull(changeId, "change_id");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(alertId, "alert_id");
    Objects.requireNonNull(alertDetectedAt, "alert_detected_at");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(by, "by");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (version < 1) {
      throw new IllegalArgumentException("version: at least 1, got " + version);
    }
    if (from.equals(to) && note == null) {
      throw new IllegalArgumentException("a change changes the state or adds a note");
    }
  }
}
