package dev.mcpaudit.queryapi.store.lucene;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.queryapi.store.AlertFacets;
import dev.mcpaudit.queryapi.store.AlertPage;
import dev.mcpaudit.queryapi.store.AlertQuery;
import dev.mcpaudit.queryapi.store.AlertView;
import dev.mcpaudit.queryapi.store.AmbiguousEventId;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertStatus;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;

/**
 * The alerts of the caller's tenants, newest first, each with its workflow state and the alert
 * raised before it for the same case (docs/alerts.md).
 */
final class AlertQueries {
  private static final Sort NEWEST_FIRST =
      new Sort(new SortField(AlertFields.DETECTED_AT, SortField.Type.LONG, true));

  private final Searchers searchers;

  /**
   * @param searchers over the alerts index the indexer keeps beside the events
   */
  AlertQueries(Searchers searchers) {
    this.searchers = searchers;
  }

  AlertPage search(TenantScope scope, AlertQuery r) {
    Query counted = query(scope, r.withoutWorkflow());
    Query query = query(scope, r);
    return searchers.read(
        searcher -> {
          TopDocs top = searcher.search(query, r.limit(), NEWEST_FIRST);
          List<JsonNode> out = new ArrayList<>(top.scoreDocs.length);
          for (ScoreDoc sd : top.scoreDocs) {
            out.add(view(searcher, sd.doc, false));
          }
          return new AlertPage(searcher.count(query), out, facets(searcher, counted));
        });
  }

  /** The recorded alert (not a track alone) with this id among the tenants in scope. */
  private static Query oneAlert(TenantScope scope, String alertId) {
    return new BooleanQuery.Builder()
        .add(Queries.tenants(scope), Occur.FILTER)
        .add(Queries.term(AlertFields.ALERT_ID, alertId), Occur.FILTER)
        .add(Queries.term(AlertFields.TRACK_ONLY, "true"), Occur.MUST_NOT)
        .build();
  }

  Optional<JsonNode> one(TenantScope scope, String alertId) {
    Query q = oneAlert(scope, alertId);
    return searchers.read(
        searcher -> {
          TopDocs top = searcher.search(q, 10);
          if (top.scoreDocs.length == 0) {
            return Optional.empty();
          }
          if (top.scoreDocs.length > 1) {
            TreeSet<String> tenants = new TreeSet<>();
            for (ScoreDoc sd : top.scoreDocs) {
              tenants.add(alert(searcher, sd.doc).path(AlertFields.TENANT).asText());
            }
            throw new AmbiguousEventId("alert_id", alertId, tenants);
          }
          return Optional.of(view(searcher, top.scoreDocs[0].doc, true));
        });
  }

  Optional<dev.mcpaudit.queryapi.store.StoredAlert> record(TenantScope scope, String alertId) {
    Query q = oneAlert(scope, alertId);
    return searchers.read(
        searcher -> {
          TopDocs top = searcher.search(q, 2);
          if (top.scoreDocs.length != 1) {
            return Optional.empty(); // none, or several tenants' (the view says which)
          }
          org.apache.lucene.document.Document d =
              searcher.storedFields().document(top.scoreDocs[0].doc);
          org.apache.lucene.util.BytesRef source = d.getBinaryValue(AlertFields.SOURCE);
          org.apache.lucene.index.IndexableField leaf =
              d.getField(dev.mcpaudit.index.IndexSchema.EVIDENCE_LEAF);
          org.apache.lucene.index.IndexableField partition =
              d.getField(dev.mcpaudit.index.IndexSchema.KAFKA_PARTITION);
          byte[] bytes = org.apache.lucene.util.BytesRef.deepCopyOf(source).bytes;
          String tenant =
              dev.mcpaudit.schema.event.EventCodec.mapper()
                  .readTree(bytes)
                  .path(AlertFields.TENANT)
                  .asText();
          return Optional.of(
              new dev.mcpaudit.queryapi.store.StoredAlert(
                  tenant,
                  alertId,
                  bytes,
                  partition == null ? -1 : partition.numericValue().intValue(),
                  leaf == null ? -1 : leaf.numericValue().longValue(),
                  dev.mcpaudit.index.StoredEvents.provenance(d)));
        });
  }

  static Query query(TenantScope scope, AlertQuery r) {
    BooleanQuery.Builder q =
        new BooleanQuery.Builder()
            .add(Queries.tenants(scope), Occur.FILTER)
            .add(
                LongPoint.newRangeQuery(
                    AlertFields.DETECTED_AT,
                    r.range().from().toEpochMilli(),
                    r.range().to().toEpochMilli() - 1),
                Occur.FILTER)
            .add(Queries.term(AlertFields.TRACK_ONLY, "true"), Occur.MUST_NOT);
    term(q, AlertFields.TYPE, r.type().map(AlertType::name));
    term(q, AlertFields.SEVERITY, r.severity().map(Severity::wire));
    term(q, AlertFields.HANDLE, r.handle());
    term(q, AlertFields.ACTOR, r.actor());
    term(q, AlertFields.EVIDENCE, r.event());
    r.status()
        .ifPresent(
            s -> {
              if (s == AlertStatus.OPEN) {
                // An alert nobody changed has no status field and is open.
                for (AlertStatus other : AlertStatus.values()) {
                  if (other != AlertStatus.OPEN) {
                    q.add(Queries.term(AlertFields.STATUS, other.wire()), Occur.MUST_NOT);
                  }
                }
              } else {
                q.add(Queries.term(AlertFields.STATUS, s.wire()), Occur.FILTER);
              }
            });
    r.assignee()
        .ifPresent(
            a -> {
              if (a.equals(AlertQuery.UNASSIGNED)) {
                q.add(new FieldExistsQuery(AlertFields.ASSIGNEE), Occur.MUST_NOT);
              } else {
                q.add(Queries.term(AlertFields.ASSIGNEE, a), Occur.FILTER);
              }
            });
    return q.build();
  }

  private static JsonNode view(IndexSearcher searcher, int doc, boolean withHistory)
      throws IOException {
    Document d = searcher.storedFields().document(doc);
    JsonNode alert = source(d);
    return AlertView.of(alert, track(d), previous(searcher, alert), withHistory);
  }

  private static JsonNode alert(IndexSearcher searcher, int doc) throws IOException {
    return source(searcher.storedFields().document(doc));
  }

  /** The alert as the detector wrote it. */
  private static JsonNode source(Document d) throws IOException {
    return EventCodec.mapper().readTree(bytes(d.getBinaryValue(AlertFields.SOURCE)));
  }

  private static AlertTrack track(Document d) {
    BytesRef t = d.getBinaryValue(AlertFields.TRACK);
    return t == null ? AlertTrack.NEW : AlertChangeCodec.track(bytes(t));
  }

  private static byte[] bytes(BytesRef b) {
    return BytesRef.deepCopyOf(b).bytes;
  }

  /** The newest alert of the same tenant, type and subject detected before this one. */
  private static AlertView.Previous previous(IndexSearcher searcher, JsonNode alert)
      throws IOException {
    Instant at = Instant.parse(alert.path(AlertFields.DETECTED_AT).asText());
    Query q =
        new BooleanQuery.Builder()
            .add(
                Queries.term(AlertFields.TENANT, alert.path(AlertFields.TENANT).asText()),
                Occur.FILTER)
            .add(
                Queries.term(AlertFields.TYPE, alert.path(AlertFields.TYPE).asText()), Occur.FILTER)
            .add(
                Queries.term(AlertFields.SUBJECT, alert.path(AlertFields.SUBJECT).asText()),
                Occur.FILTER)
            .add(
                LongPoint.newRangeQuery(
                    AlertFields.DETECTED_AT, Long.MIN_VALUE, at.toEpochMilli() - 1),
                Occur.FILTER)
            .add(Queries.term(AlertFields.TRACK_ONLY, "true"), Occur.MUST_NOT)
            .build();
    TopDocs top = searcher.search(q, 1, NEWEST_FIRST);
    if (top.scoreDocs.length == 0) {
      return null;
    }
    Document d = searcher.storedFields().document(top.scoreDocs[0].doc);
    JsonNode earlier = source(d);
    return new AlertView.Previous(
        earlier.path(AlertFields.ALERT_ID).asText(),
        Instant.parse(earlier.path(AlertFields.DETECTED_AT).asText()),
        track(d));
  }

  /** Counts by status (none: open) and assignee (none: null) over the matches of {@code query}. */
  private static AlertFacets facets(IndexSearcher searcher, Query query) throws IOException {
    Tally all =
        searcher.search(
            query,
            new CollectorManager<Tally, Tally>() {
              @Override
              public Tally newCollector() {
                return new Tally();
              }

              @Override
              public Tally reduce(Collection<Tally> parts) {
                Tally sum = new Tally();
                parts.forEach(sum::add);
                return sum;
              }
            });
    return AlertFacets.of(all.status, all.assignee);
  }

  /** Counts per value of the two workflow fields, leaf by leaf. */
  private static final class Tally implements org.apache.lucene.search.Collector {
    final Map<String, Long> status = new HashMap<>();
    final Map<String, Long> assignee = new HashMap<>();

    void add(Tally other) {
      other.status.forEach((k, v) -> status.merge(k, v, Long::sum));
      other.assignee.forEach((k, v) -> assignee.merge(k, v, Long::sum));
    }

    @Override
    public LeafCollector getLeafCollector(LeafReaderContext context) throws IOException {
      SortedDocValues s = DocValues.getSorted(context.reader(), AlertFields.STATUS);
      SortedDocValues a = DocValues.getSorted(context.reader(), AlertFields.ASSIGNEE);
      return new LeafCollector() {
        @Override
        public void setScorer(Scorable scorer) {}

        @Override
        public void collect(int doc) throws IOException {
          String st =
              s.advanceExact(doc)
                  ? s.lookupOrd(s.ordValue()).utf8ToString()
                  : AlertStatus.OPEN.wire();
          status.merge(st, 1L, Long::sum);
          String as = a.advanceExact(doc) ? a.lookupOrd(a.ordValue()).utf8ToString() : null;
          assignee.merge(as, 1L, Long::sum);
        }
      };
    }

    @Override
    public ScoreMode scoreMode() {
      return ScoreMode.COMPLETE_NO_SCORES;
    }
  }

  private static void term(BooleanQuery.Builder q, String field, Optional<String> value) {
    value.filter(v -> !v.isBlank()).ifPresent(v -> q.add(Queries.term(field, v), Occur.FILTER));
  }
}
