package dev.mcpaudit.queryapi.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.search.IndexAccess;
import dev.mcpaudit.queryapi.search.TimeRange;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/** The alerts of the caller's tenants, newest first, each with its evidence event ids. */
public final class AlertSearch {
  public static final int MAX_LIMIT = 1000;
  private static final Sort NEWEST_FIRST =
      new Sort(new SortField(AlertFields.DETECTED_AT, SortField.Type.LONG, true));

  private final IndexAccess index;

  public AlertSearch(IndexAccess index) {
    this.index = index;
  }

  /**
   * @param handle, actor, event optional: alerts about this handle or actor, or citing this event
   *     as evidence
   */
  public record Request(
      TimeRange range,
      AlertType type,
      Severity severity,
      String handle,
      String actor,
      String event,
      int limit) {}

  public record Page(long total, List<JsonNode> alerts) {}

  public Page search(TenantScope scope, Request r) {
    BooleanQuery.Builder q =
        new BooleanQuery.Builder()
            .add(IndexAccess.tenants(scope), Occur.FILTER)
            .add(
                LongPoint.newRangeQuery(
                    AlertFields.DETECTED_AT,
                    r.range().from().toEpochMilli(),
                    r.range().to().toEpochMilli() - 1),
                Occur.FILTER);
    term(q, AlertFields.TYPE, r.type() == null ? null : r.type().name());
    term(q, AlertFields.SEVERITY, r.severity() == null ? null : r.severity().wire());
    term(q, AlertFields.HANDLE, r.handle());
    term(q, AlertFields.ACTOR, r.actor());
    term(q, AlertFields.EVIDENCE, r.event());
    Query query = q.build();
    return index.read(searcher -> page(searcher, query, r.limit()));
  }

  private static Page page(IndexSearcher searcher, Query query, int limit)
      throws java.io.IOException {
    TopDocs top = searcher.search(query, limit, NEWEST_FIRST);
    List<JsonNode> out = new ArrayList<>(top.scoreDocs.length);
    var stored = searcher.storedFields();
    for (ScoreDoc sd : top.scoreDocs) {
      out.add(StoredEvents.json(stored.document(sd.doc)));
    }
    return new Page(searcher.count(query), out);
  }

  private static void term(BooleanQuery.Builder q, String field, String value) {
    if (value != null && !value.isBlank()) {
      q.add(new TermQuery(new Term(field, value)), Occur.FILTER);
    }
  }
}
