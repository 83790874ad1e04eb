package dev.mcpaudit.queryapi.export;

import dev.mcpaudit.indexer.schema.IndexSchema;
import dev.mcpaudit.queryapi.search.IndexAccess;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/**
 * Streams every matching event, oldest first, over one point-in-time reader, in constant memory.
 * The index is sorted by occurred_at, so each segment's matches already come oldest first; the
 * export merges the segments' streams (one cursor per segment in a priority queue) instead of
 * re-running a sorted search per page, and reads each segment's stored events sequentially.
 */
public final class Exporter {
  private final IndexAccess index;

  public Exporter(IndexAccess index) {
    this.index = index;
  }

  /** Writes the export and returns how many events it holds. */
  public long export(Query query, ExportFormat format, OutputStream out) {
    Query q = format.decisionsOnly()
        ? new BooleanQuery.Builder().add(query, BooleanClause.Occur.FILTER).add(IndexAccess.decisionsOnly(), BooleanClause.Occur.FILTER).build()
        : query;
    return index.readAll(searcher -> {
      format.header(out);
      Weight weight = searcher.createWeight(searcher.rewrite(q), ScoreMode.COMPLETE_NO_SCORES, 1f);
      PriorityQueue<SegmentCursor> queue = new PriorityQueue<>(
          Comparator.comparingLong(SegmentCursor::occurredAt).thenComparingInt(SegmentCursor::ord));
      for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
        Scorer scorer = weight.scorer(leaf);
        if (scorer != null) {
          SegmentCursor c = new SegmentCursor(leaf, scorer.iterator());
          if (c.next()) {
            queue.add(c);
          }
        }
      }
      long rows = 0;
      while (!queue.isEmpty()) {
        SegmentCursor c = queue.poll();
        format.write(IndexAccess.source(c.stored.document(c.doc, SOURCE_ONLY)), out);
        rows++;
        if (c.next()) {
          queue.add(c);
        }
      }
      out.flush();
      return rows;
    });
  }

  private static final Set<String> SOURCE_ONLY = Set.of(IndexSchema.SOURCE_JSON);

  /** One segment's matching, live documents in doc order (= occurred_at order). */
  private static final class SegmentCursor {
    final int ord;
    final DocIdSetIterator docs;
    final Bits live;
    final NumericDocValues occurred;
    final StoredFields stored;
    int doc;
    long occurredAt;

    SegmentCursor(LeafReaderContext leaf, DocIdSetIterator docs) throws IOException {
      this.ord = leaf.ord;
      this.docs = docs;
      this.live = leaf.reader().getLiveDocs();
      this.occurred = leaf.reader().getNumericDocValues(IndexSchema.OCCURRED_AT);
      this.stored = sequentialReader(leaf);
    }

    boolean next() throws IOException {
      for (doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
        if (live == null || live.get(doc)) {
          occurredAt = occurred != null && occurred.advanceExact(doc) ? occurred.longValue() : Long.MIN_VALUE;
          return true;
        }
      }
      return false;
    }

    /**
     * An export reads each segment's events in doc order, the access pattern merges have; the
     * merge instance keeps the last decompressed block instead of inflating it again for every
     * document (DEFLATE blocks hold many events).
     */
    private static StoredFields sequentialReader(LeafReaderContext leaf) throws IOException {
      if (leaf.reader() instanceof CodecReader codec && codec.getFieldsReader() != null) {
        return codec.getFieldsReader().getMergeInstance();
      }
      return leaf.reader().storedFields();
    }

    long occurredAt() {
      return occurredAt;
    }

    int ord() {
      return ord;
    }
  }
}
