package dev.mcpaudit.queryapi.store;

import java.util.List;
import java.util.SortedSet;

/** One event id is recorded in several of the caller's tenants: the caller must pick one. */
public final class AmbiguousEventId extends StoreException {
  private final List<String> tenants;

  public AmbiguousEventId(String eventId, SortedSet<String> tenants) {
    this("event_id", eventId, tenants);
  }

  /**
   * @param field what the id names ({@code event_id}, {@code alert_id})
   */
  public AmbiguousEventId(String field, String id, SortedSet<String> tenants) {
    super(
        field
            + " '"
            + id
            + "' is recorded in tenants "
            + String.join(", ", tenants)
            + "; choose one with ?tenant=");
    this.tenants = List.copyOf(tenants);
  }

  public List<String> tenants() {
    return tenants;
  }
}
