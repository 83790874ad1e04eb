package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.ExportRows;
import dev.mcpaudit.queryapi.store.LeafRange;
import dev.mcpaudit.queryapi.store.LeafSpan;
import dev.mcpaudit.queryapi.store.TenantScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/**
 * Records by their place in the evidence logs ({@link IndexSchema#EVIDENCE_POSITION}): the leaves a
 * query's matches span, and a log's leaves in order for range bundles, a window of leaves at a time
 * so memory holds one window.
 */
final class LuceneLeaves {
  private static final int PAGE = 1_000;
  private static final long LEAF_MASK = (1L << IndexSchema.POSITION_LEAF_BITS) - 1;

  private final Searchers searchers;
  private final Queries queries;

  LuceneLeaves(Searchers searchers, Queries queries) {
    this.searchers = searchers;
    this.queries = queries;
  }

  List<LeafSpan> spans(TenantScope scope, EventQuery query) {
    Query q = queries.events(scope, query);
    return searchers.read(
        searcher -> {
          Map<Integer, long[]> by = new TreeMap<>();
          positions(
              searcher,
              q,
              (doc, p) -> {
                long[] span =
                    by.computeIfAbsent(
                        (int) (p >>> IndexSchema.POSITION_LEAF_BITS),
                        k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
                span[0] = Math.min(span[0], p & LEAF_MASK);
                span[1] = Math.max(span[1], p & LEAF_MASK);
              });
          List<LeafSpan> out = new ArrayList<>();
          by.forEach((partition, s) -> out.add(new LeafSpan(partition, s[0], s[1])));
          return out;
        });
  }

  LeafRange range(TenantScope scope, int partition, long from, long to) {
    Query all = window(scope, partition, from, to);
    return new LeafRange() {
      @Override
      public long count() {
        return to <= from ? 0 : searchers.read(s -> (long) s.count(all));
      }

      /**
       * A window of {@link #PAGE} leaves at a time: one range query finds each leaf's document
       * (leaves are dense and each is held once), then the records are read in leaf order. Linear
       * in the range, whatever its size; a sorted search resumed after each page would collect the
       * whole rest of the range again for every page.
       */
      @Override
      public long writeTo(ExportRows rows) {
        if (to <= from) {
          return 0;
        }
        return searchers.readAll(
            searcher -> {
              StoredFields stored = searcher.getIndexReader().storedFields();
              int[] docs = new int[PAGE];
              long written = 0;
              for (long start = from; start < to; start += PAGE) {
                int n = (int) Math.min(PAGE, to - start);
                java.util.Arrays.fill(docs, -1);
                find(searcher, window(scope, partition, start, start + n), start, docs);
                for (int i = 0; i < n; i++) {
                  if (docs[i] < 0) {
                    return written; // a leaf the index does not hold: the caller names it
                  }
                  Document d = stored.document(docs[i], StoredEvents.SOURCE_AND_PROVENANCE);
                  rows.write(
                      StoredEvents.bytes(d), StoredEvents.provenance(d), partition, start + i);
                  written++;
                }
              }
              return written;
            });
      }
    };
  }

  /** The scope's records of leaves {@code [from, to)} of the log of {@code partition}. */
  private static Query window(TenantScope scope, int partition, long from, long to) {
    return new BooleanQuery.Builder()
        .add(Queries.tenants(scope), BooleanClause.Occur.FILTER)
        .add(
            LongPoint.newRangeQuery(
                IndexSchema.EVIDENCE_POSITION,
                IndexSchema.evidencePosition(partition, from),
                IndexSchema.evidencePosition(partition, to - 1)),
            BooleanClause.Occur.FILTER)
        .build();
  }

  /** Puts the document of leaf {@code start + i} at {@code docs[i]}. */
  private static void find(IndexSearcher searcher, Query q, long start, int[] docs)
      throws java.io.IOException {
    positions(searcher, q, (doc, p) -> docs[(int) ((p & LEAF_MASK) - start)] = doc);
  }

  /** Each live match of {@code q} that has a place in a log: its document and that place. */
  private static void positions(IndexSearcher searcher, Query q, Matched matched)
      throws java.io.IOException {
    Weight w = searcher.createWeight(searcher.rewrite(q), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Scorer s = w.scorer(leaf);
      NumericDocValues pos = leaf.reader().getNumericDocValues(IndexSchema.EVIDENCE_POSITION);
      if (s == null || pos == null) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      DocIdSetIterator it = s.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if ((live == null || live.get(doc)) && pos.advanceExact(doc)) {
          matched.at(leaf.docBase + doc, pos.longValue());
        }
      }
    }
  }

  @FunctionalInterface
  private interface Matched {
    void at(int doc, long position);
  }
}
