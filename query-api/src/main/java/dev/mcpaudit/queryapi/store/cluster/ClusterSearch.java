package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.queryapi.store.AmbiguousEventId;
import dev.mcpaudit.queryapi.store.EventPage;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.Position;
import dev.mcpaudit.queryapi.store.StoredEvent;
import dev.mcpaudit.queryapi.store.TenantScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Search pages, exact counts and events by id on the cluster. A page resumes with {@code
 * search_after} on the position the cursor carries (occurred_at, event_id), the same order and the
 * same key as the Lucene store's, so a cursor holds no state of the process or of the cluster and
 * any API replica can continue it; each page reads the data as it is then, as the Lucene store's
 * pages do.
 */
final class ClusterSearch {
  /** Records read for one event id: one per tenant, and each tenant holds the id once. */
  private static final int MAX_SAME_ID = 64;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final ClusterReads reads;
  private final ClusterQueries queries;
  private final String decisions;

  ClusterSearch(ClusterReads reads, ClusterQueries queries, String decisionsPattern) {
    this.reads = reads;
    this.queries = queries;
    this.decisions = decisionsPattern;
  }

  /** Newest first; ties broken by event_id, as in the Lucene store. */
  static ArrayNode newestFirst() {
    ArrayNode sort = F.arrayNode();
    sort.addObject().putObject(IndexSchema.OCCURRED_AT).put("order", "desc");
    sort.addObject().putObject(IndexSchema.EVENT_ID).put("order", "asc");
    return sort;
  }

  EventPage page(TenantScope scope, EventQuery req, Optional<Position> from, int limit) {
    ObjectNode body = F.objectNode();
    body.set("query", queries.events(scope, req));
    body.put("size", limit);
    body.put("track_total_hits", true);
    body.set("sort", newestFirst());
    body.putArray("_source").add(DecisionMapping.EVENT);
    from.ifPresent(p -> body.putArray("search_after").add(p.occurredAt()).add(p.eventId()));
    SearchAnswer a = reads.search(decisions, body);
    List<JsonNode> events = new ArrayList<>(a.hits().size());
    a.hits().forEach(h -> events.add(h.json()));
    Optional<Position> last = Optional.empty();
    if (a.hits().size() == limit) {
      JsonNode sort = a.hits().get(limit - 1).sort();
      last = Optional.of(new Position(sort.path(0).asLong(), sort.path(1).asText()));
    }
    return new EventPage(a.total(), events, last);
  }

  long count(TenantScope scope, EventQuery req) {
    return reads.count(decisions, queries.events(scope, req));
  }

  /**
   * The record with this event id among the tenants in scope, from whichever daily index holds it.
   * The same id in two tenants is two records: when the scope holds several, {@link
   * AmbiguousEventId} names them.
   */
  Optional<StoredEvent> byId(TenantScope scope, String eventId) {
    ObjectNode body = F.objectNode();
    body.set(
        "query",
        QueryDsl.filter(
            QueryDsl.term(IndexSchema.EVENT_ID, eventId), ClusterQueries.tenants(scope)));
    body.put("size", MAX_SAME_ID);
    SearchAnswer a = reads.search(decisions, body);
    if (a.hits().isEmpty()) {
      return Optional.empty();
    }
    if (a.hits().size() > 1) {
      TreeSet<String> tenants = new TreeSet<>();
      a.hits().forEach(h -> tenants.add(h.fields().get(IndexSchema.TENANT)));
      throw new AmbiguousEventId(eventId, tenants);
    }
    SearchAnswer.Hit hit = a.hits().get(0);
    return Optional.of(
        new StoredEvent(
            hit.json(),
            Instant.ofEpochMilli(hit.number(IndexSchema.INGESTED_AT, 0)),
            Optional.ofNullable(hit.provenance()),
            (int) hit.number(DecisionMapping.path(IndexSchema.KAFKA_PARTITION), 0),
            hit.number(DecisionMapping.path(IndexSchema.KAFKA_OFFSET), 0),
            hit.record(),
            hit.number(IndexSchema.EVIDENCE_LEAF, -1)));
  }
}
