package dev.mcpaudit.queryapi.store.lucene;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.store.AlertPage;
import dev.mcpaudit.queryapi.store.AlertQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;

/** The alerts of the caller's tenants, newest first, each with its evidence event ids. */
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
    BooleanQuery.Builder q =
        new BooleanQuery.Builder()
            .add(Queries.tenants(scope), Occur.FILTER)
            .add(
                LongPoint.newRangeQuery(
                    AlertFields.DETECTED_AT,
                    r.range().from().toEpochMilli(),
                    r.range().to().toEpochMilli() - 1),
                Occur.FILTER);
    term(q, AlertFields.TYPE, r.type().map(AlertType::name));
    term(q, AlertFields.SEVERITY, r.severity().map(Severity::wire));
    term(q, AlertFields.HANDLE, r.handle());
    term(q, AlertFields.ACTOR, r.actor());
    term(q, AlertFields.EVIDENCE, r.event());
    Query query = q.build();
    return searchers.read(searcher -> page(searcher, query, r.limit()));
  }

  private static AlertPage page(IndexSearcher searcher, Query query, int limit) throws IOException {
    TopDocs top = searcher.search(query, limit, NEWEST_FIRST);
    List<JsonNode> out = new ArrayList<>(top.scoreDocs.length);
    var stored = searcher.storedFields();
    for (ScoreDoc sd : top.scoreDocs) {
      out.add(StoredEvents.json(stored.document(sd.doc)));
    }
    return new AlertPage(searcher.count(query), out);
  }

  private static void term(BooleanQuery.Builder q, String field, Optional<String> value) {
    value.filter(v -> !v.isBlank()).ifPresent(v -> q.add(Queries.term(field, v), Occur.FILTER));
  }
}
