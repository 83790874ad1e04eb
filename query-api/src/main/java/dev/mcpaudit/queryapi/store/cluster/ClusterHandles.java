package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.queryapi.store.HandleReport;
import dev.mcpaudit.queryapi.store.TenantScope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A handle's life from the cluster: one request finds its first events in time order, its issue,
 * revocation and expiry, its actors and tools; a second counts the uses after revocation and expiry
 * once those times are known. Both read every tenant the caller sees (a handle's life is read
 * whole).
 */
final class ClusterHandles {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final ClusterReads reads;
  private final String decisions;

  ClusterHandles(ClusterReads reads, String decisionsPattern) {
    this.reads = reads;
    this.decisions = decisionsPattern;
  }

  Optional<HandleReport> of(TenantScope scope, String handleId) {
    ObjectNode query =
        QueryDsl.filter(
            QueryDsl.term(IndexSchema.HANDLE_ID, handleId),
            ClusterQueries.tenants(scope.everyTenant()));
    ObjectNode body = F.objectNode();
    body.set("query", query);
    body.put("size", HandleReport.MAX_EVENTS);
    body.put("track_total_hits", true);
    body.set("sort", oldestFirst());
    body.putArray("_source").add(DecisionMapping.EVENT);
    ObjectNode aggs = body.putObject("aggs");
    aggs.set("issued", first(kinds("handle.issued", "handle.rotated")));
    aggs.set("revoked", first(kinds("handle.revoked")));
    ObjectNode expired = ClusterStats.filter(kinds("handle.expired"));
    expired.putObject("aggs").set("at", ClusterAccess.minMax("min"));
    aggs.set("expired", expired);
    ObjectNode uses = ClusterStats.filter(ClusterQueries.decisionsOnly());
    uses.putObject("aggs").set("allow", ClusterStats.filter(allow()));
    aggs.set("uses", uses);
    listed(aggs, "actors", QueryDsl.matchAll(), IndexSchema.ACTOR_ID);
    listed(
        aggs,
        "names",
        QueryDsl.filter(
            ClusterQueries.decisionsOnly(), ClusterAccess.exists(IndexSchema.TOOL_NAME)),
        IndexSchema.TOOL_NAME);
    listed(
        aggs,
        "resources",
        QueryDsl.filter(
            ClusterQueries.decisionsOnly(),
            QueryDsl.not(ClusterAccess.exists(IndexSchema.TOOL_NAME))),
        IndexSchema.TOOL_RESOURCE);
    SearchAnswer a = reads.search(decisions, body);
    if (a.total() == 0) {
      return Optional.empty();
    }
    JsonNode g = a.aggregations();
    Optional<SearchAnswer.Hit> issued = firstHit(g.path("issued"));
    Optional<SearchAnswer.Hit> revoked = firstHit(g.path("revoked"));
    Optional<Instant> revokedAt =
        revoked.map(h -> Instant.ofEpochMilli(h.number(IndexSchema.OCCURRED_AT, 0)));
    long announced =
        issued
            .map(h -> h.number(IndexSchema.HANDLE_EXPIRES_AT, Long.MAX_VALUE))
            .orElse(Long.MAX_VALUE);
    JsonNode expiredAt = g.path("expired").path("at").path("value");
    long expiry = Math.min(announced, expiredAt.isNumber() ? expiredAt.asLong() : Long.MAX_VALUE);
    Optional<Instant> expiresAt =
        expiry == Long.MAX_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(expiry));
    long decisionsCount = g.path("uses").path("doc_count").asLong();
    long allowCount = g.path("uses").path("allow").path("doc_count").asLong();
    long[] after = after(query, revokedAt, expiresAt);
    TreeSet<String> tools = new TreeSet<>(ClusterAccess.keys(g.path("names").path("values")));
    tools.addAll(ClusterAccess.keys(g.path("resources").path("values")));
    List<JsonNode> events = new ArrayList<>(a.hits().size());
    a.hits().forEach(h -> events.add(h.json()));
    return Optional.of(
        new HandleReport(
            handleId,
            issued.map(SearchAnswer.Hit::json),
            revoked.map(SearchAnswer.Hit::json),
            revokedAt,
            expiresAt,
            decisionsCount,
            allowCount,
            decisionsCount - allowCount,
            after[0],
            after[1],
            after[2],
            after[3],
            ClusterAccess.keys(g.path("actors").path("values")),
            count(g.path("actors")),
            tools.stream().limit(HandleReport.MAX_LISTED).toList(),
            count(g.path("names")) + count(g.path("resources")),
            events));
  }

  /**
   * Uses after revocation and after expiry, allowed and attempted: {allowed after revocation,
   * attempts after revocation, allowed after expiry, attempts after expiry}.
   */
  private long[] after(ObjectNode query, Optional<Instant> revokedAt, Optional<Instant> expiresAt) {
    long[] out = new long[4];
    if (revokedAt.isEmpty() && expiresAt.isEmpty()) {
      return out;
    }
    ObjectNode body = F.objectNode();
    body.put("size", 0);
    body.set("query", QueryDsl.filter(query, ClusterQueries.decisionsOnly()));
    ObjectNode aggs = body.putObject("aggs");
    revokedAt.ifPresent(t -> aggs.set("revocation", since(t)));
    expiresAt.ifPresent(t -> aggs.set("expiry", since(t)));
    JsonNode g = reads.search(decisions, body).aggregations();
    out[0] = g.path("revocation").path("allow").path("doc_count").asLong();
    out[1] = g.path("revocation").path("doc_count").asLong();
    out[2] = g.path("expiry").path("allow").path("doc_count").asLong();
    out[3] = g.path("expiry").path("doc_count").asLong();
    return out;
  }

  /** Uses strictly after {@code t}, and how many of them were allowed. */
  private static ObjectNode since(Instant t) {
    ObjectNode f =
        ClusterStats.filter(
            QueryDsl.range(IndexSchema.OCCURRED_AT, t.toEpochMilli() + 1, Long.MAX_VALUE));
    f.putObject("aggs").set("allow", ClusterStats.filter(allow()));
    return f;
  }

  static ArrayNode oldestFirst() {
    ArrayNode sort = F.arrayNode();
    sort.addObject().putObject(IndexSchema.OCCURRED_AT).put("order", "asc");
    sort.addObject().putObject(IndexSchema.EVENT_ID).put("order", "asc");
    return sort;
  }

  /** The earliest event among {@code filter}, whole (its record and its indexed values). */
  private static ObjectNode first(ObjectNode filter) {
    ObjectNode f = ClusterStats.filter(filter);
    ObjectNode top = f.putObject("aggs").putObject("first").putObject("top_hits");
    top.put("size", 1);
    top.set("sort", oldestFirst());
    return f;
  }

  /** The hit of a {@link #first} aggregation, read as the search's own hits are. */
  private static Optional<SearchAnswer.Hit> firstHit(JsonNode agg) {
    JsonNode hits = agg.path("first").path("hits");
    if (hits.path("hits").isEmpty()) {
      return Optional.empty();
    }
    ObjectNode answer = F.objectNode();
    answer.set("hits", hits);
    return SearchAnswer.read(answer.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .hits()
        .stream()
        .findFirst();
  }

  /**
   * The first {@link HandleReport#MAX_LISTED} values of a field among {@code filter}, and how many.
   */
  private static void listed(ObjectNode aggs, String name, ObjectNode filter, String luceneField) {
    ObjectNode f = ClusterStats.filter(filter);
    ObjectNode sub = f.putObject("aggs");
    ObjectNode terms = sub.putObject("values").putObject("terms");
    terms.put("field", DecisionMapping.path(luceneField));
    terms.put("size", HandleReport.MAX_LISTED);
    terms.putObject("order").put("_key", "asc");
    sub.putObject("count")
        .putObject("cardinality")
        .put("field", DecisionMapping.path(luceneField))
        .put("precision_threshold", 40_000);
    aggs.set(name, f);
  }

  private static int count(JsonNode listed) {
    return (int) listed.path("count").path("value").asLong();
  }

  private static ObjectNode kinds(String... kinds) {
    return QueryDsl.terms(IndexSchema.KIND, List.of(kinds));
  }

  private static ObjectNode allow() {
    return QueryDsl.term(IndexSchema.DECISION, "allow");
  }
}
