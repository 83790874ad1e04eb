package dev.mcpaudit.indexer.store;

import java.util.Objects;

/**
 * What names a record (docs/architecture.md, "The contract"): the same event id in two tenants is
 * two records.
 */
public record RecordKey(String tenant, String eventId) {
  public RecordKey {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(eventId, "eventId");
  }
}
