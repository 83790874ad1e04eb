package dev.mcpaudit.queryapi.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Counts of the matching alerts by workflow status (every status, zero included) and by assignee
 * (the {@link #MAX_ASSIGNEES} most frequent; {@code value} null for unassigned).
 */
public record AlertFacets(List<Count> status, List<Count> assignee) {
  public static final int MAX_ASSIGNEES = 100;

  public record Count(String value, long count) {}

  /** From counts by value (null: no value), in the order an analyst reads them. */
  public static AlertFacets of(Map<String, Long> byStatus, Map<String, Long> byAssignee) {
    List<Count> status = new ArrayList<>();
    for (dev.mcpaudit.schema.alert.AlertStatus s : dev.mcpaudit.schema.alert.AlertStatus.values()) {
      status.add(new Count(s.wire(), byStatus.getOrDefault(s.wire(), 0L)));
    }
    List<Count> assignee =
        byAssignee.entrySet().stream()
            .map(e -> new Count(e.getKey(), e.getValue()))
            .sorted(
                Comparator.comparingLong(Count::count)
                    .reversed()
                    .thenComparing(c -> c.value() == null ? "" : c.value()))
            .limit(MAX_ASSIGNEES)
            .toList();
    return new AlertFacets(status, assignee);
  }
}
