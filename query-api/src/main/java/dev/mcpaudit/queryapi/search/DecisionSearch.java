package dev.mcpaudit.queryapi.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.AmbiguousEventId;
import dev.mcpaudit.queryapi.store.EventPage;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.Position;
import dev.mcpaudit.queryapi.store.StoredEvent;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.event.Rfc3339;
import java.util.Optional;

/**
 * {@code GET /decisions} and {@code GET /decisions/{id}} over any {@link EventStore}: pages carry a
 * sealed cursor (see {@link Cursor}) instead of the store's position, and an event comes with its
 * {@code _meta}.
 */
public final class DecisionSearch {
  private final EventStore store;
  private final CursorKey cursorKey;

  public DecisionSearch(EventStore store, CursorKey cursorKey) {
    this.store = store;
    this.cursorKey = cursorKey;
  }

  /** A page, newest first, with the exact number of matches and the cursor of the next page. */
  public Page search(TenantScope scope, SearchRequest req) {
    EventQuery query = new EventQuery(req.q(), req.range());
    Cursor.Binding binding = new Cursor.Binding(cursorKey, scope.caller(), req.q(), scope.asked());
    Optional<Position> after =
        req.cursor() == null || req.cursor().isBlank()
            ? Optional.empty()
            : Optional.of(Cursor.decode(req.cursor(), binding, req.range()).position());
    EventPage page = store.search(scope, query, after, req.limit());
    String next = page.last().map(p -> Cursor.at(p).encode(binding)).orElse(null);
    return new Page(page.total(), "eq", page.events(), next);
  }

  /**
   * The record with this event id, with its {@code _meta}, among the tenants in scope. The same id
   * in two tenants is two records: when the scope holds several, the answer is {@link
   * AmbiguousEventId} naming them, and a scope of one tenant picks one.
   */
  public Optional<JsonNode> get(TenantScope scope, String eventId) {
    return store.event(scope, eventId).map(stored -> withMeta(scope, stored));
  }

  private static JsonNode withMeta(TenantScope scope, StoredEvent stored) {
    ObjectNode event = (ObjectNode) stored.event();
    ObjectNode meta = event.putObject("_meta");
    meta.set("received_at", event.get("received_at"));
    meta.put("ingested_at", Rfc3339.format(stored.ingestedAt()));
    // How it arrived, from its stamp (docs/provenance.md); absent for events indexed before
    // provenance was recorded.
    stored
        .provenance()
        .ifPresent(
            provenance -> {
              ObjectNode p = meta.putObject("provenance");
              p.put("kind", provenance.kind());
              if (provenance.by() != null) {
                p.put("by", provenance.by());
              }
            });
    // Its place in its tenant's evidence log (README, "Verifiable evidence"): counts this
    // tenant's records alone.
    if (stored.leaf() >= 0) {
      meta.putObject("evidence")
          .put("partition", stored.partition())
          .put("leaf_index", stored.leaf());
    }
    // Offsets count every tenant's traffic between one's own events: for admins only.
    if (scope.caller().may(Role.ADMIN)) {
      meta.put("partition", stored.partition());
      meta.put("offset", stored.offset());
    }
    return event;
  }
}
