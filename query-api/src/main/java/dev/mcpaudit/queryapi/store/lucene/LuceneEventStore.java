package dev.mcpaudit.queryapi.store.lucene;

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
import java.util.Optional;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;

/**
 * The store over the embedded Lucene indexes: the events index and the alerts index the indexer
 * keeps beside it, read through searchers someone else owns (the indexer's near-real-time searchers
 * in the quickstart, {@link CommittedIndex} in the api role). The single-machine default.
 */
public final class LuceneEventStore implements EventStore {
  private final ReferenceManager<IndexSearcher> events;
  private final ReferenceManager<IndexSearcher> alertIndex;
  private final Searchers eventSearchers;
  private final Queries queries;
  private final LuceneLeaves leaves;
  private final EventSearch search;
  private final AccessAggregation access;
  private final HandleFacts handles;
  private final StatsQueries stats;
  private final AlertQueries alerts;
  private final StoreThreads threads;

  private LuceneEventStore(
      ReferenceManager<IndexSearcher> events,
      ReferenceManager<IndexSearcher> alerts,
      QueryLimits limits,
      SearchGate gate,
      StoreThreads threads,
      int maxTopValues,
      int accessDistinctCap) {
    this.events = events;
    this.alertIndex = alerts;
    this.threads = threads;
    this.eventSearchers = new Searchers(events, limits.timeout(), gate);
    this.queries = new Queries(eventSearchers, limits.terms());
    this.leaves = new LuceneLeaves(eventSearchers, queries);
    StoredEventLoader loader = new StoredEventLoader(threads.pages(), threads.size());
    this.search = new EventSearch(eventSearchers, queries, loader);
    this.access = new AccessAggregation(eventSearchers, accessDistinctCap);
    this.handles = new HandleFacts(eventSearchers, loader);
    this.stats = new StatsQueries(eventSearchers, maxTopValues);
    this.alerts = new AlertQueries(new Searchers(alerts, limits.timeout(), gate));
  }

  /**
   * The store the API serves, with search admission ({@code limits.admission()}). Sets Lucene's
   * clause limit to {@code limits.maxClauses()}: it is process-wide in Lucene, so one process
   * serves one limit.
   *
   * @param events a {@code SearcherManager} or {@link CommittedIndex} over the events index
   * @param alerts the same over the alerts index
   * @param threads made and shut down by the composition root
   */
  public static LuceneEventStore over(
      ReferenceManager<IndexSearcher> events,
      ReferenceManager<IndexSearcher> alerts,
      QueryLimits limits,
      StoreThreads threads) {
    IndexSearcher.setMaxClauseCount(limits.maxClauses());
    return new LuceneEventStore(
        events,
        alerts,
        limits,
        new SearchGate(limits.admission()),
        threads,
        TopValues.MAX_VALUES,
        AccessReport.DISTINCT_CAP);
  }

  /**
   * Without admission (work runs on the caller's thread) and with the given caps: for tests and
   * benchmarks that call the store directly.
   */
  static LuceneEventStore direct(
      ReferenceManager<IndexSearcher> events,
      ReferenceManager<IndexSearcher> alerts,
      QueryLimits limits,
      StoreThreads threads,
      int maxTopValues,
      int accessDistinctCap) {
    return new LuceneEventStore(
        events, alerts, limits, null, threads, maxTopValues, accessDistinctCap);
  }

  /** Without admission and with the API's caps (benchmarks, tests). */
  public static LuceneEventStore direct(
      ReferenceManager<IndexSearcher> events,
      ReferenceManager<IndexSearcher> alerts,
      QueryLimits limits,
      StoreThreads threads) {
    return direct(events, alerts, limits, threads, TopValues.MAX_VALUES, AccessReport.DISTINCT_CAP);
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
        Queries.decisionsOf(queries.events(scope, query)),
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

  @Override
  public ExportStream export(TenantScope scope, EventQuery query, boolean decisionsOnly) {
    Query q = queries.events(scope, query);
    return new LuceneExport(eventSearchers, threads, decisionsOnly ? Queries.decisionsOf(q) : q);
  }

  @Override
  public Optional<dev.mcpaudit.queryapi.store.StoredAlert> alertRecord(
      TenantScope scope, String alertId) {
    return alerts.record(scope, alertId);
  }

  @Override
  public java.util.List<dev.mcpaudit.queryapi.store.LeafSpan> leafSpans(
      TenantScope scope, EventQuery query) {
    return leaves.spans(scope, query);
  }

  @Override
  public dev.mcpaudit.queryapi.store.LeafRange leaves(
      TenantScope scope, int partition, long from, long to) {
    return leaves.range(scope, partition, from, to);
  }

  /** Ready once both indexes are open (a {@link CommittedIndex} may wait for its first commit). */
  @Override
  public Health health() {
    return Health.all(() -> health(events), () -> health(alertIndex));
  }

  private static Health health(ReferenceManager<IndexSearcher> index) {
    return index instanceof CommittedIndex committed ? committed.health() : Health.READY;
  }
}
