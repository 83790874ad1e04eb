package dev.mcpaudit.queryapi.store;

import dev.mcpaudit.schema.alert.AlertStatus;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import java.util.Objects;
import java.util.Optional;

/**
 * Which alerts to list, newest first (by detection time).
 *
 * @param handle alerts about this handle
 * @param actor alerts about this actor
 * @param event alerts citing this event as evidence
 * @param status alerts in this workflow status (an alert never changed is open)
 * @param assignee alerts assigned to this principal; {@link #UNASSIGNED} for those assigned to no
 *     one
 */
public record AlertQuery(
    TimeRange range,
    Optional<AlertType> type,
    Optional<Severity> severity,
    Optional<String> handle,
    Optional<String> actor,
    Optional<String> event,
    Optional<AlertStatus> status,
    Optional<String> assignee,
    int limit) {
  public static final int MAX_LIMIT = 1000;

  /** Most alerts one bulk change may touch (and so list). */
  public static final int MAX_BULK = 10_000;

  /** The assignee filter that matches alerts nobody is assigned. */
  public static final String UNASSIGNED = "";

  public AlertQuery {
    Objects.requireNonNull(range, "range");
    if (limit < 1 || limit > MAX_BULK) {
      throw new InvalidQuery("limit: between 1 and " + MAX_BULK);
    }
  }

  /** The query without its workflow filters: what the facets count over. */
  public AlertQuery withoutWorkflow() {
    return new AlertQuery(
        range, type, severity, handle, actor, event, Optional.empty(), Optional.empty(), limit);
  }
}
