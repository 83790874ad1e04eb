package dev.mcpaudit.queryapi.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.AmbiguousEventId;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.Saturating;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.runtime.http.LogText;
import dev.mcpaudit.schema.event.Rfc3339;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
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
 * caller's query AND the time window AND the caller's tenants, so a query that names another tenant
 * simply finds nothing of it.
 */
public final class DecisionSearch {
  /** Records read for one event id: one per tenant, and each tenant holds the id once. */
  private static final int MAX_SAME_ID = 64;

  /** Newest first; ties broken by event_id so every event has one fixed place in the order. */
  static final Sort NEWEST_FIRST =
      new Sort(
          new SortField(IndexSchema.OCCURRED_AT, SortField.Type.LONG, true),
          new SortField(IndexSchema.EVENT_ID, SortField.Type.STRING));

  /** The first window tried below the top of the range; each next one is 8 times wider. */
  static final long FIRST_WINDOW_MS = 60 * 60 * 1000L;

  /**
   * Most windows one page tries. Eight-fold growth from an hour spans the ten thousand years a
   * window may cover in 13; past the cap the last window takes the rest of the range.
   */
  static final int MAX_WINDOWS = 16;

  private final IndexAccess index;
  private final TermPolicy terms;
  private final CursorKey cursorKey;

  /** With the default term policy and a cursor key of its own (tests, benchmarks). */
  public DecisionSearch(IndexAccess index) {
    this(index, TermPolicy.DEFAULT, CursorKey.random());
  }

  public DecisionSearch(IndexAccess index, QueryLimits limits) {
    this(index, limits.terms(), limits.cursorKey());
  }

  public DecisionSearch(IndexAccess index, TermPolicy terms, CursorKey cursorKey) {
    this.index = index;
    this.terms = terms;
    this.cursorKey = cursorKey;
  }

  /**
   * A page, newest first, with the exact number of matches. Counting is cheap at any size: the
   * index is sorted by occurred_at, so the window is a doc-id range per segment and the count is a
   * conjunction over it (or a docFreq where Lucene can take one), no document is loaded.
   */
  public Page search(TenantScope scope, SearchRequest req) {
    Query query = compose(scope, req.q(), req.range());
    Cursor.Binding binding = new Cursor.Binding(cursorKey, scope.caller(), req.q(), scope.asked());
    // doc = MAX_VALUE: the cursor's own event counts as already returned.
    FieldDoc after =
        req.cursor() == null || req.cursor().isBlank()
            ? null
            : cursorDoc(Cursor.decode(req.cursor(), binding, req.range()));
    long lower = req.range().from().toEpochMilli();
    long upper =
        after == null
            ? req.range().to().toEpochMilli() - 1
            : Math.min((Long) after.fields[0], req.range().to().toEpochMilli() - 1);
    return index.read(
        searcher -> {
          // Windows start at the newest event there is, not at the top of the range: a range ending
          // now over data that stopped an hour ago would otherwise start with empty windows.
          byte[] max =
              PointValues.getMaxPackedValue(searcher.getIndexReader(), IndexSchema.OCCURRED_AT);
          long top0 = max == null ? upper : Math.min(upper, LongPoint.decodeDimension(max, 0));
          // Rewritten once for the page: a fuzzy term's expansion walks every segment's dictionary,
          // and
          // the windows and the count would otherwise each expand it again.
          Query rewritten = searcher.rewrite(query);
          TopFieldDocs top = newestInWindows(searcher, rewritten, after, req.limit(), lower, top0);
          long total = searcher.count(rewritten);
          List<JsonNode> events = IndexAccess.sources(searcher, top.scoreDocs);
          String next = null;
          if (top.scoreDocs.length == req.limit()) {
            FieldDoc last = (FieldDoc) top.scoreDocs[top.scoreDocs.length - 1];
            next =
                new Cursor((Long) last.fields[0], ((BytesRef) last.fields[1]).utf8ToString())
                    .encode(binding);
          }
          return new Page(total, "eq", events, next);
        });
  }

  /**
   * The exact number of events {@code q} matches in the window and tenants (what {@code total} of a
   * page says).
   */
  public long count(TenantScope scope, String q, TimeRange range) {
    Query query = compose(scope, q, range);
    return index.read(searcher -> (long) searcher.count(query));
  }

  /**
   * The newest {@code limit} matches at or below {@code upper}. The index is sorted oldest first,
   * so a newest-first sort cannot stop early and would rank every match of a busy actor; instead
   * the newest hour is tried first, then 8, 64, … hours, until a window holds a full page (then
   * nothing older can rank above it) or spans the whole range. Same answer, a fraction of the work.
   * Bounded three ways: the arithmetic saturates, at most {@link #MAX_WINDOWS} windows, and the
   * request's deadline is checked between windows (an empty window collects nothing, so the
   * searcher's own limit would never fire). {@code query} comes rewritten ({@link
   * IndexSearcher#rewrite}), so no window expands its terms again.
   */
  static TopFieldDocs newestInWindows(
      IndexSearcher searcher, Query query, FieldDoc after, int limit, long lower, long upper)
      throws java.io.IOException {
    long width = Saturating.subtract(upper, lower);
    long span = FIRST_WINDOW_MS;
    for (int window = 1; ; window++) {
      boolean last = width < span || span == Long.MAX_VALUE || window >= MAX_WINDOWS;
      long lo = last ? lower : upper - span + 1;
      Query windowed =
          new BooleanQuery.Builder()
              .add(query, BooleanClause.Occur.MUST)
              .add(IndexAccess.occurredBetween(lo, upper), BooleanClause.Occur.FILTER)
              .build();
      TopFieldDocs top =
          searcher.search(
              windowed, new TopFieldCollectorManager(NEWEST_FIRST, limit, after, limit));
      if (top.scoreDocs.length >= limit || last) {
        return top;
      }
      if (IndexAccess.pastDeadline(searcher)) {
        throw new TimeLimitedReader.DeadlinePassed();
      }
      span = Saturating.multiply(span, 8);
    }
  }

  private static FieldDoc cursorDoc(Cursor c) {
    return new FieldDoc(
        Integer.MAX_VALUE, Float.NaN, new Object[] {c.occurredAt(), new BytesRef(c.eventId())});
  }

  /**
   * The record with this event id, with its {@code _meta}, among the tenants in scope. The same id
   * in two tenants is two records: when the scope holds several, the answer is {@link
   * AmbiguousEventId} naming them, and a scope of one tenant picks one.
   */
  public Optional<JsonNode> get(TenantScope scope, String eventId) {
    Query query =
        new BooleanQuery.Builder()
            .add(new TermQuery(new Term(IndexSchema.EVENT_ID, eventId)), BooleanClause.Occur.FILTER)
            .add(IndexAccess.tenants(scope), BooleanClause.Occur.FILTER)
            .build();
    return index.read(
        searcher -> {
          ScoreDoc[] hits = searcher.search(query, MAX_SAME_ID).scoreDocs;
          if (hits.length == 0) {
            return Optional.empty();
          }
          if (hits.length > 1) {
            TreeSet<String> tenants = new TreeSet<>();
            for (ScoreDoc hit : hits) {
              tenants.add(
                  StoredEvents.json(searcher.storedFields().document(hit.doc))
                      .path("tenant")
                      .asText());
            }
            throw new AmbiguousEventId(eventId, tenants);
          }
          Document d = searcher.storedFields().document(hits[0].doc);
          ObjectNode event = (ObjectNode) StoredEvents.json(d);
          ObjectNode meta = event.putObject("_meta");
          JsonNode received = event.get("received_at");
          meta.set("received_at", received);
          meta.put(
              "ingested_at",
              Rfc3339.format(
                  Instant.ofEpochMilli(
                      d.getField(IndexSchema.INGESTED_AT).numericValue().longValue())));
          // How it arrived, from its stamp (docs/provenance.md); absent for events indexed before
          // provenance was recorded.
          Provenance provenance = StoredEvents.provenance(d);
          if (provenance != null) {
            ObjectNode p = meta.putObject("provenance");
            p.put("kind", provenance.kind());
            if (provenance.by() != null) {
              p.put("by", provenance.by());
            }
          }
          // Offsets count every tenant's traffic between one's own events: for admins only.
          if (scope.caller().may(Role.ADMIN)) {
            meta.put(
                "partition", d.getField(IndexSchema.KAFKA_PARTITION).numericValue().intValue());
            meta.put("offset", d.getField(IndexSchema.KAFKA_OFFSET).numericValue().longValue());
          }
          return Optional.of(event);
        });
  }

  public Query compose(TenantScope scope, String q, TimeRange range) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    if (q != null && !q.isBlank()) {
      if (q.length() > 4096) {
        throw new InvalidQuery("q: at most 4096 characters");
      }
      b.add(index.compute(() -> parse(q)), BooleanClause.Occur.MUST);
    }
    b.add(IndexAccess.window(range), BooleanClause.Occur.FILTER);
    b.add(IndexAccess.tenants(scope), BooleanClause.Occur.FILTER);
    return b.build();
  }

  private Query parse(String q) {
    try {
      return new EventQueryParser(terms).parse(q);
    } catch (ParseException e) {
      // The parser quotes the whole query; echo at most 80 characters of it, escaped, as every
      // other value.
      throw new InvalidQuery(
          "q: " + LogText.of(firstLine(e.getMessage().replace(q, LogText.of(q, 80))), 400));
    } catch (IndexSearcher.TooManyClauses e) {
      throw new InvalidQuery(
          "q: too many clauses (at most "
              + IndexSearcher.getMaxClauseCount()
              + "); narrow the query");
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
