package dev.mcpaudit.queryapi.store;

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
 */
public record AlertQuery(
    TimeRange range,
    Optional<AlertType> type,
    Optional<Severity> severity,
    Optional<String> handle,
    Optional<String> actor,
    Optional<String> event,
    int limit) {
  public static final int MAX_LIMIT = 1000;

  public AlertQuery {
    Objects.requireNonNull(range, "range");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidQuery("limit: between 1 and " + MAX_LIMIT);
    }
  }
}
