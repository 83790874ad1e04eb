package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.rules.query.TermPolicy;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSortSortedNumericDocValuesRangeQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * The Lucene queries of the store's questions: the caller's {@code q} AND the window AND the
 * tenants of the request's scope, so a query that names another tenant simply finds nothing of it.
 */
final class Queries {
  private final Searchers searchers;
  private final TermPolicy terms;

  /**
   * @param searchers where parsing runs (under the request's admission and deadline)
   */
  Queries(Searchers searchers, TermPolicy terms) {
    this.searchers = searchers;
    this.terms = terms;
  }

  /** {@code q} within the window and the scope's tenants. */
  Query events(TenantScope scope, EventQuery query) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    if (!query.matchesAll()) {
      b.add(searchers.compute(() -> parse(query.q())), BooleanClause.Occur.MUST);
    }
    b.add(window(query.range()), BooleanClause.Occur.FILTER);
    b.add(tenants(scope), BooleanClause.Occur.FILTER);
    return b.build();
  }

  /** The filter of a request's tenants: the one place a tenant scope becomes a query. */
  static Query tenants(TenantScope scope) {
    if (scope.tenant().isPresent()) {
      return new TermQuery(new Term(IndexSchema.TENANT, scope.tenant().get()));
    }
    if (scope.unbounded()) {
      BooleanQuery.Builder b =
          new BooleanQuery.Builder().add(new MatchAllDocsQuery(), BooleanClause.Occur.FILTER);
      if (!scope.includesSystem()) {
        b.add(
            new TermQuery(new Term(IndexSchema.TENANT, Caller.SYSTEM_TENANT)),
            BooleanClause.Occur.MUST_NOT);
      }
      return b.build();
    }
    List<BytesRef> values = new ArrayList<>();
    scope.tenants().forEach(t -> values.add(new BytesRef(t)));
    return new TermInSetQuery(IndexSchema.TENANT, values);
  }

  /** occurred_at in [from, to). */
  static Query window(TimeRange range) {
    return occurredBetween(range.from().toEpochMilli(), range.to().toEpochMilli() - 1);
  }

  /**
   * occurred_at in [from, to] (inclusive). The index is sorted by occurred_at, so on a sorted
   * segment this is a contiguous run of doc ids found by binary search, not a points traversal;
   * elsewhere it falls back to the points query.
   */
  static Query occurredBetween(long from, long to) {
    return new IndexSortSortedNumericDocValuesRangeQuery(
        IndexSchema.OCCURRED_AT,
        from,
        to,
        LongPoint.newRangeQuery(IndexSchema.OCCURRED_AT, from, to));
  }

  static Query decisionsOnly() {
    return new TermQuery(new Term(IndexSchema.KIND, "decision"));
  }

  /** {@code base} restricted to decisions. */
  static Query decisionsOf(Query base) {
    return new BooleanQuery.Builder()
        .add(base, BooleanClause.Occur.FILTER)
        .add(decisionsOnly(), BooleanClause.Occur.FILTER)
        .build();
  }

  /** Every value of a keyword field equal to {@code value}. */
  static Query term(String field, String value) {
    return new TermQuery(new Term(field, value));
  }

  private Query parse(String q) {
    return EventQueryParser.parse(q, terms);
  }
}
