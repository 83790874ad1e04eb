package dev.mcpaudit.rules;

import dev.mcpaudit.schema.alert.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An alert rule an analyst wrote (README, "Alert rules"): every event of {@code tenant} that {@code
 * query} matches counts, per value of the {@code groupBy} fields; {@code threshold} of them within
 * {@code window} of event time raise one alert, and no other for the same group within {@code
 * suppression}. A threshold of 1 raises on every match (suppression still applies). Checked by
 * {@link RuleCodec}; the API sets version and who changed it last.
 *
 * @param tenant the one tenant it watches, or {@link #EVERY_TENANT}
 * @param query the search syntax, exactly as the Search page takes it
 * @param owasp the OWASP Top 10 for Agentic Applications identifiers its alerts carry
 * @param deleted a deletion marker: kept on the compacted topic so that a detector that reads it
 *     knows the rule is gone, and the deletion is stamped like every change
 */
public record CustomRule(
    String id,
    String name,
    String tenant,
    String query,
    List<String> groupBy,
    int threshold,
    Duration window,
    Severity severity,
    Duration suppression,
    List<String> owasp,
    boolean enabled,
    int version,
    String updatedBy,
    Instant updatedAt,
    boolean deleted) {

  /** A rule for every tenant (but {@code _system}, the API's own trail). */
  public static final String EVERY_TENANT = "*";

  public CustomRule {
    Objects.requireNonNull(id, "id");
    groupBy = List.copyOf(groupBy);
    owasp = List.copyOf(owasp);
  }

  /** Whether it judges events of {@code t}. */
  public boolean watches(String t) {
    return enabled
        && !deleted
        && (tenant.equals(t) || (tenant.equals(EVERY_TENANT) && !t.startsWith("_")));
  }

  /** The deletion of rule {@code id} by {@code by}, as the topic keeps it. */
  public static CustomRule deletion(CustomRule last, String by, Instant at) {
    return new CustomRule(
        last.id,
        last.name,
        last.tenant,
        last.query,
        last.groupBy,
        last.threshold,
        last.window,
        last.severity,
        last.suppression,
        last.owasp,
        false,
        last.version + 1,
        by,
        at,
        true);
  }

  /** This rule as changed by {@code by} at {@code at}, one version after {@code previous}. */
  public CustomRule savedBy(String by, Instant at, int previous) {
    return new CustomRule(
        id,
        name,
        tenant,
        query,
        groupBy,
        threshold,
        window,
        severity,
        suppression,
        owasp,
        enabled,
        previous + 1,
        by,
        at,
        false);
  }
}
