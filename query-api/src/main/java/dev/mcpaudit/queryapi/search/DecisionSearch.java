package dev.mcpaudit.queryapi.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.indexer.schema.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.event.Rfc3339;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.util.BytesRef;

/**
 * {@code GET /decisions} and {@code GET /decisions/{id}} over the index. Every query is the
 * caller's query AND the time window AND the caller's tenants, so a query that names another
 * tenant simply finds nothing of it.
 */
public final class DecisionSearch {
  /** Newest first; ties broken by event_id so every event has one fixed place in the order. */
  static final Sort NEWEST_FIRST = new Sort(
      new SortField(IndexSchema.OCCURRED_AT, SortField.Type.LONG, true),
      new SortField(IndexSchema.EVENT_ID, SortField.Type.STRING));
  /** Counting beyond this many hits is not worth the time; the total is then "gte". */
  static final int EXACT_TOTAL_UP_TO = 10_000;

  private final IndexAccess index;
  private final boolean leadingWildcards;

  public DecisionSearch(IndexAccess index) {
    this(index, false);
  }

  public DecisionSearch(IndexAccess index, boolean leadingWildcards) {
    this.index = index;
    this.leadingWildcards = leadingWildcards;
  }

  public Page search(Caller caller, SearchRequest req) {
    Query query = compose(caller, req.q(), req.range(), req.tenant());
    // doc = MAX_VALUE: the cursor's own event counts as already returned.
    FieldDoc after = req.cursor() == null || req.cursor().isBlank() ? null : cursorDoc(Cursor.decode(req.cursor()));
    long lower = req.range().from().toEpochMilli();
    long upper = after == null ? req.range().to().toEpochMilli() - 1 : Math.min((Long) after.fields[0], req.range().to().toEpochMilli() - 1);
    return index.read(searcher -> {
      // Windows start at the newest event there is, not at the top of the range: a range ending
      // now over data that stopped an hour ago would otherwise start with empty windows.
      byte[] max = PointValues.getMaxPackedValue(searcher.getIndexReader(), IndexSchema.OCCURRED_AT);
      long top0 = max == null ? upper : Math.min(upper, LongPoint.decodeDimension(max, 0));
      TopFieldDocs top = newestInWindows(searcher, query, after, req.limit(), lower, top0);
      CappedCount.Total total = searcher.search(query, new CappedCount(EXACT_TOTAL_UP_TO));
      List<JsonNode> events = IndexAccess.sources(searcher, top.scoreDocs);
      String next = null;
      if (top.scoreDocs.length == req.limit()) {
        FieldDoc last = (FieldDoc) top.scoreDocs[top.scoreDocs.length - 1];
        next = new Cursor((Long) last.fields[0], ((BytesRef) last.fields[1]).utf8ToString()).encode();
      }
      return new Page(total.count(), total.exact() ? "eq" : "gte", events, next);
    });
  }

  /** The first window tried below the top of the range; each next one is 8 times wider. */
  static final long FIRST_WINDOW_MS = 60 * 60 * 1000L;

  /**
   * The newest {@code limit} matches at or below {@code upper}. The index is sorted oldest first,
   * so a newest-first sort cannot stop early and would rank every match of a busy actor; instead
   * the newest hour is tried first, then 8, 64, … hours, until a window holds a full page (then
   * nothing older can rank above it) or spans the whole range. Same answer, a fraction of the work.
   */
  private static TopFieldDocs newestInWindows(IndexSearcher searcher, Query query, FieldDoc after, int limit, long lower,
      long upper) throws java.io.IOException {
    for (long span = FIRST_WINDOW_MS; ; span = span > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : span * 8) {
      long lo = upper - lower < span ? lower : upper - span + 1;
      Query windowed = new BooleanQuery.Builder()
          .add(query, BooleanClause.Occur.MUST)
          .add(IndexAccess.occurredBetween(lo, upper), BooleanClause.Occur.FILTER)
          .build();
      TopFieldDocs top = searcher.search(windowed, new TopFieldCollectorManager(NEWEST_FIRST, limit, after, limit));
      if (top.scoreDocs.length >= limit || lo <= lower) {
        return top;
      }
    }
  }

  private static FieldDoc cursorDoc(Cursor c) {
    return new FieldDoc(Integer.MAX_VALUE, Float.NaN, new Object[] {c.occurredAt(), new BytesRef(c.eventId())});
  }

  /** The event with its {@code _meta}, if it exists in a tenant the caller sees. */
  public Optional<JsonNode> get(Caller caller, String eventId) {
    Query query = new BooleanQuery.Builder()
        .add(new TermQuery(new Term(IndexSchema.EVENT_ID, eventId)), BooleanClause.Occur.FILTER)
        .add(IndexAccess.tenants(caller, null), BooleanClause.Occur.FILTER)
        .build();
    return index.read(searcher -> {
      ScoreDoc[] hits = searcher.search(query, 1).scoreDocs;
      if (hits.length == 0) {
        return Optional.empty();
      }
      Document d = searcher.storedFields().document(hits[0].doc);
      ObjectNode event = (ObjectNode) IndexAccess.source(d);
      ObjectNode meta = event.putObject("_meta");
      JsonNode received = event.get("received_at");
      meta.set("received_at", received);
      meta.put("ingested_at", Rfc3339.format(Instant.ofEpochMilli(d.getField(IndexSchema.INGESTED_AT).numericValue().longValue())));
      meta.put("partition", d.getField(IndexSchema.KAFKA_PARTITION).numericValue().intValue());
      meta.put("offset", d.getField(IndexSchema.KAFKA_OFFSET).numericValue().longValue());
      return Optional.of(event);
    });
  }

  public Query compose(Caller caller, String q, TimeRange range, String tenant) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    if (q != null && !q.isBlank()) {
      if (q.length() > 4096) {
        throw ProblemException.badRequest("q: at most 4096 characters");
      }
      try {
        b.add(new EventQueryParser(leadingWildcards).parse(q), BooleanClause.Occur.MUST);
      } catch (ParseException e) {
        throw ProblemException.badRequest("q: " + firstLine(e.getMessage()));
      } catch (IndexSearcher.TooManyClauses e) {
        throw ProblemException.badRequest("q: too many clauses (at most " + IndexSearcher.getMaxClauseCount() + "); narrow the query");
      }
    }
    b.add(IndexAccess.window(range), BooleanClause.Occur.FILTER);
    b.add(IndexAccess.tenants(caller, tenant), BooleanClause.Occur.FILTER);
    return b.build();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
