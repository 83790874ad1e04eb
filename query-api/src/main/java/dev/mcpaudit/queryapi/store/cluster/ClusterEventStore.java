package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.search.SearchGate;
import dev.mcpaudit.queryapi.store.AccessReport;
import dev.mcpaudit.queryapi.store.AlertPage;
import dev.mcpaudit.queryapi.store.AlertQuery;
import dev.mcpaudit.queryapi.store.EventPage;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.ExportStream;
import dev.mcpaudit.queryapi.store.HandleReport;
import dev.mcpaudit.queryapi.store.Histogram;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.Position;
import dev.mcpaudit.queryapi.store.StoredEvent;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.queryapi.store.TopValues;
import dev.mcpaudit.runtime.health.Health;
import java.time.Clock;
import java.util.Optional;

/**
 * The store over an OpenSearch cluster the indexers write (docs/opensearch.md): the daily decision
 * indices and the monthly alert indices of one index prefix. It keeps no state of its own between
 * requests, so any number of API replicas serve one cluster and a cursor from one works on every
 * other. The same parser, term policy, tenant filter, limits and answers as the Lucene store; the
 * store contract suite runs on both.
 */
public final class ClusterEventStore implements EventStore {
  private final ClusterQueries queries;
  private final ClusterSearch search;
  private final ClusterAccess access;
  private final ClusterHandles handles;
  private final ClusterStats stats;
  private final ClusterAlertQueries alerts;
  private final ClusterReads reads;
  private final ClusterHealth health;
  private final String decisions;

  private ClusterEventStore(Cluster cluster, QueryLimits limits, SearchGate gate) {
    IndexNames names = cluster.names();
    this.decisions = names.decisionsPattern();
    this.health = new ClusterHealth(cluster, Clock.systemUTC());
    this.reads = new ClusterReads(cluster, limits.timeout(), gate, health::health);
    this.queries = new ClusterQueries(reads, limits.terms());
    this.search = new ClusterSearch(reads, queries, decisions);
    this.access = new ClusterAccess(reads, decisions, AccessReport.DISTINCT_CAP);
    this.handles = new ClusterHandles(reads, decisions);
    this.stats = new ClusterStats(reads, decisions, TopValues.MAX_VALUES);
    this.alerts = new ClusterAlertQueries(reads, names.alertsPattern());
  }

  /**
   * The store the API serves, with search admission ({@code limits.admission()}). The parser's
   * clause limit is Lucene's process-wide one, set here as the Lucene store sets it.
   *
   * @param cluster made and closed by the composition root
   */
  public static ClusterEventStore over(Cluster cluster, QueryLimits limits) {
    org.apache.lucene.search.IndexSearcher.setMaxClauseCount(limits.maxClauses());
    return new ClusterEventStore(cluster, limits, new SearchGate(limits.admission()));
  }

  /** Without admission: for tests and benchmarks that call the store directly. */
  public static ClusterEventStore direct(Cluster cluster, QueryLimits limits) {
    return new ClusterEventStore(cluster, limits, null);
  }

  @Override
  public EventPage search(
      TenantScope scope, EventQuery query, Optional<Position> after, int limit) {
    return search.page(scope, query, after, limit);
  }

  @Override
  public long count(TenantScope scope, EventQuery query) {
    return search.count(scope, query);
  }

  @Override
  public Optional<StoredEvent> event(TenantScope scope, String eventId) {
    return search.byId(scope, eventId);
  }

  @Override
  public AccessReport access(
      TenantScope scope, AccessReport.Subject subject, String id, TimeRange range) {
    return access.summarize(scope, subject, id, range);
  }

  @Override
  public Optional<HandleReport> handle(TenantScope scope, String handleId) {
    return handles.of(scope, handleId);
  }

  @Override
  public TopValues top(TenantScope scope, EventQuery query, String field, int size) {
    if (!TopValues.FIELDS.contains(field)) {
      throw new InvalidQuery("field: not one top values may be asked of");
    }
    return stats.top(queries.events(scope, query), field, size);
  }

  @Override
  public Histogram histogram(TenantScope scope, EventQuery query, long intervalMs, int buckets) {
    return stats.histogram(
        ClusterQueries.decisionsOf(queries.events(scope, query)),
        query.range().from().toEpochMilli(),
        intervalMs,
        buckets);
  }

  @Override
  public AlertPage alerts(TenantScope scope, AlertQuery query) {
    return alerts.search(scope, query);
  }

  @Override
  public Optional<com.fasterxml.jackson.databind.JsonNode> alert(
      TenantScope scope, String alertId) {
    return alerts.one(scope, alertId);
  }

  /**
   * Per partition, the first and last leaf among the matches: min and max of the records' places in
   * their logs, by partition (both from doc values).
   */
  @Override
  public java.util.List<dev.mcpaudit.queryapi.store.LeafSpan> leafSpans(
      TenantScope scope, EventQuery query) {
    com.fasterxml.jackson.databind.node.ObjectNode body =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    body.set(
        "query",
        QueryDsl.filter(
            queries.events(scope, query),
            QueryDsl.range(IndexSchema.EVIDENCE_POSITION, 0, Long.MAX_VALUE)));
    body.put("size", 0);
    com.fasterxml.jackson.databind.node.ObjectNode byPartition =
        body.putObject("aggs").putObject("p");
    byPartition
        .putObject("terms")
        .put("field", dev.mcpaudit.opensearch.DecisionMapping.path(IndexSchema.KAFKA_PARTITION))
        .put("size", 10_000);
    com.fasterxml.jackson.databind.node.ObjectNode aggs = byPartition.putObject("aggs");
    aggs.putObject("first").putObject("min").put("field", IndexSchema.EVIDENCE_POSITION);
    aggs.putObject("last").putObject("max").put("field", IndexSchema.EVIDENCE_POSITION);
    long mask = (1L << IndexSchema.POSITION_LEAF_BITS) - 1;
    java.util.List<dev.mcpaudit.queryapi.store.LeafSpan> out = new java.util.ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode b :
        reads.search(decisions, body).aggregations().path("p").path("buckets")) {
      // min/max come back as doubles: exact up to 2^53, far past any position's partition bits
      long first = (long) b.path("first").path("value").asDouble();
      long last = (long) b.path("last").path("value").asDouble();
      out.add(
          new dev.mcpaudit.queryapi.store.LeafSpan(
              b.path("key").asInt(), first & mask, last & mask));
    }
    out.sort(java.util.Comparator.comparingInt(dev.mcpaudit.queryapi.store.LeafSpan::partition));
    return out;
  }

  /** Leaves {@code [from, to)} of one log, by their place in it: one range, in order. */
  @Override
  public dev.mcpaudit.queryapi.store.LeafRange leaves(
      TenantScope scope, int partition, long from, long to) {
    com.fasterxml.jackson.databind.node.ObjectNode q =
        QueryDsl.filter(
            ClusterQueries.tenants(scope),
            QueryDsl.range(
                IndexSchema.EVIDENCE_POSITION,
                IndexSchema.evidencePosition(partition, from),
                IndexSchema.evidencePosition(partition, to - 1)));
    ClusterExport rows =
        new ClusterExport(reads, decisions, q, java.util.List.of(IndexSchema.EVIDENCE_POSITION));
    return new dev.mcpaudit.queryapi.store.LeafRange() {
      @Override
      public long count() {
        return to <= from ? 0 : reads.count(decisions, q);
      }

      @Override
      public long writeTo(dev.mcpaudit.queryapi.store.ExportRows out) throws java.io.IOException {
        return to <= from ? 0 : rows.writeTo(out);
      }
    };
  }

  @Override
  public ExportStream export(TenantScope scope, EventQuery query, boolean decisionsOnly) {
    ObjectNode q = queries.events(scope, query);
    return new ClusterExport(reads, decisions, decisionsOnly ? ClusterQueries.decisionsOf(q) : q);
  }

  @Override
  public Health health() {
    return health.health();
  }
}
