package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.store.AmbiguousEventId;
import dev.mcpaudit.queryapi.store.EventPage;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.Position;
import dev.mcpaudit.queryapi.store.Saturating;
import dev.mcpaudit.queryapi.store.StoredEvent;
import dev.mcpaudit.queryapi.store.TenantScope;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.util.BytesRef;

/** Search pages, exact counts and events by id. */
final class EventSearch {
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

  private final Searchers searchers;
  private final Queries queries;
  private final StoredEventLoader loader;

  EventSearch(Searchers searchers, Queries queries, StoredEventLoader loader) {
    this.searchers = searchers;
    this.queries = queries;
    this.loader = loader;
  }

  /**
   * A page, newest first, with the exact number of matches. Counting is cheap at any size: the
   * index is sorted by occurred_at, so the window is a doc-id range per segment and the count is a
   * conjunction over it (or a docFreq where Lucene can take one), no document is loaded.
   */
  EventPage page(TenantScope scope, EventQuery req, Optional<Position> from, int limit) {
    Query query = queries.events(scope, req);
    // doc = MAX_VALUE: the position's own event counts as already returned.
    FieldDoc after = from.map(EventSearch::fieldDoc).orElse(null);
    long lower = req.range().from().toEpochMilli();
    long upper =
        after == null
            ? req.range().to().toEpochMilli() - 1
            : Math.min((Long) after.fields[0], req.range().to().toEpochMilli() - 1);
    return searchers.read(
        searcher -> {
          // Windows start at the newest event there is, not at the top of the range: a range ending
          // now over data that stopped an hour ago would otherwise start with empty windows.
          byte[] max =
              PointValues.getMaxPackedValue(searcher.getIndexReader(), IndexSchema.OCCURRED_AT);
          long top0 = max == null ? upper : Math.min(upper, LongPoint.decodeDimension(max, 0));
          // Rewritten once for the page: a fuzzy term's expansion walks every segment's dictionary,
          // and the windows and the count would otherwise each expand it again.
          Query rewritten = searcher.rewrite(query);
          TopFieldDocs top = newestInWindows(searcher, rewritten, after, limit, lower, top0);
          long total = searcher.count(rewritten);
          Optional<Position> last = Optional.empty();
          if (top.scoreDocs.length == limit) {
            FieldDoc doc = (FieldDoc) top.scoreDocs[top.scoreDocs.length - 1];
            last =
                Optional.of(
                    new Position((Long) doc.fields[0], ((BytesRef) doc.fields[1]).utf8ToString()));
          }
          return new EventPage(total, loader.load(searcher, top.scoreDocs), last);
        });
  }

  long count(TenantScope scope, EventQuery req) {
    Query query = queries.events(scope, req);
    return searchers.read(searcher -> (long) searcher.count(query));
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
      throws IOException {
    long width = Saturating.subtract(upper, lower);
    long span = FIRST_WINDOW_MS;
    for (int window = 1; ; window++) {
      boolean last = width < span || span == Long.MAX_VALUE || window >= MAX_WINDOWS;
      long lo = last ? lower : upper - span + 1;
      Query windowed =
          new BooleanQuery.Builder()
              .add(query, BooleanClause.Occur.MUST)
              .add(Queries.occurredBetween(lo, upper), BooleanClause.Occur.FILTER)
              .build();
      TopFieldDocs top =
          searcher.search(
              windowed, new TopFieldCollectorManager(NEWEST_FIRST, limit, after, limit));
      if (top.scoreDocs.length >= limit || last) {
        return top;
      }
      if (Searchers.pastDeadline(searcher)) {
        throw new TimeLimitedReader.DeadlinePassed();
      }
      span = Saturating.multiply(span, 8);
    }
  }

  static FieldDoc fieldDoc(Position p) {
    return new FieldDoc(
        Integer.MAX_VALUE, Float.NaN, new Object[] {p.occurredAt(), new BytesRef(p.eventId())});
  }

  /**
   * The record with this event id among the tenants in scope. The same id in two tenants is two
   * records: when the scope holds several, the answer is {@link AmbiguousEventId} naming them.
   */
  Optional<StoredEvent> byId(TenantScope scope, String eventId) {
    Query query =
        new BooleanQuery.Builder()
            .add(Queries.term(IndexSchema.EVENT_ID, eventId), BooleanClause.Occur.FILTER)
            .add(Queries.tenants(scope), BooleanClause.Occur.FILTER)
            .build();
    return searchers.read(
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
          org.apache.lucene.index.IndexableField leaf = d.getField(IndexSchema.EVIDENCE_LEAF);
          return Optional.of(
              new StoredEvent(
                  StoredEvents.json(d),
                  Instant.ofEpochMilli(
                      d.getField(IndexSchema.INGESTED_AT).numericValue().longValue()),
                  Optional.ofNullable(StoredEvents.provenance(d)),
                  d.getField(IndexSchema.KAFKA_PARTITION).numericValue().intValue(),
                  d.getField(IndexSchema.KAFKA_OFFSET).numericValue().longValue(),
                  StoredEvents.bytes(d),
                  leaf == null ? -1 : leaf.numericValue().longValue()));
        });
  }
}
