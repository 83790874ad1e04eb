package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.store.ExportRows;
import dev.mcpaudit.queryapi.store.ExportStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
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
 *
 * <p>Reading (decompressing stored events) and writing (parsing and formatting them) each take
 * about half of an export's time, so when an export thread is free they run on two threads with a
 * few small batches between them; otherwise the request's thread does both.
 */
final class LuceneExport implements ExportStream {
  /** Events per hand-over, and hand-overs in flight: a bound of about 1,500 events in memory. */
  private static final int BATCH = 256;

  private static final int IN_FLIGHT = 4;

  private final Searchers searchers;
  private final StoreThreads threads;
  private final Query query;

  LuceneExport(Searchers searchers, StoreThreads threads, Query query) {
    this.searchers = searchers;
    this.threads = threads;
    this.query = query;
  }

  @Override
  public long writeTo(ExportRows rows) throws IOException {
    return searchers.readAll(
        searcher -> {
          OldestFirst events = new OldestFirst(searcher, query, rows.wantsPositions());
          if (threads.freeExportThreads().tryAcquire()) {
            try {
              return new Pipeline(events, threads).writeAll(rows);
            } finally {
              threads.freeExportThreads().release();
            }
          }
          long written = 0;
          for (Stored e = events.next(); e != null; e = events.next()) {
            e.writeTo(rows);
            written++;
          }
          return written;
        });
  }

  /** An event as stored, and how it arrived (null when the index did not record it). */
  private record Stored(byte[] json, Provenance provenance, int partition, long leaf) {
    void writeTo(ExportRows rows) throws IOException {
      if (partition == NO_POSITION) {
        rows.write(json, provenance);
      } else {
        rows.write(json, provenance, partition, leaf);
      }
    }
  }

  /** The partition of a row whose position was not read. */
  private static final int NO_POSITION = Integer.MIN_VALUE;

  /** A batch of stored events, or the end of the stream, or the loader's failure. */
  private record Batch(List<Stored> events, Throwable failure) {
    static final Batch END = new Batch(List.of(), null);
  }

  /** The loader thread reads batches ahead while the request's thread formats and writes. */
  private static final class Pipeline {
    private final OldestFirst events;
    private final StoreThreads threads;
    private final BlockingQueue<Batch> ready = new ArrayBlockingQueue<>(IN_FLIGHT);
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private final CountDownLatch loaderDone = new CountDownLatch(1);

    Pipeline(OldestFirst events, StoreThreads threads) {
      this.events = events;
      this.threads = threads;
    }

    long writeAll(ExportRows out) throws IOException {
      try {
        threads.exports().execute(this::load);
      } catch (RejectedExecutionException e) {
        throw new IOException("the store is shutting down", e);
      }
      long rows = 0;
      try {
        while (true) {
          Batch b = ready.take();
          if (b.failure() != null) {
            throw b.failure() instanceof IOException io
                ? io
                : new IOException("cannot read stored events", b.failure());
          }
          if (b == Batch.END) {
            return rows;
          }
          for (Stored e : b.events()) {
            e.writeTo(out);
          }
          rows += b.events().size();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("export interrupted");
      } finally {
        // The reader is released when this returns: the loader must be done with it first,
        // also when the client went away half way.
        abandoned.set(true);
        ready.clear();
        awaitLoader();
      }
    }

    private void load() {
      try {
        List<Stored> batch = new ArrayList<>(BATCH);
        for (Stored e = events.next(); e != null && !abandoned.get(); e = events.next()) {
          batch.add(e);
          if (batch.size() == BATCH) {
            hand(new Batch(batch, null));
            batch = new ArrayList<>(BATCH);
          }
        }
        if (!batch.isEmpty()) {
          hand(new Batch(batch, null));
        }
        hand(Batch.END);
      } catch (Throwable t) {
        hand(new Batch(List.of(), t));
      } finally {
        loaderDone.countDown();
      }
    }

    /** Waits for room; gives up once the writer has stopped reading. */
    private void hand(Batch b) {
      try {
        while (!abandoned.get()) {
          if (ready.offer(b, 50, TimeUnit.MILLISECONDS)) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void awaitLoader() {
      boolean interrupted = false;
      while (true) {
        try {
          loaderDone.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the reader must outlive the loader whatever happens
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The matching events of every segment merged into one stream, oldest first. */
  private static final class OldestFirst {
    private final PriorityQueue<SegmentCursor> queue =
        new PriorityQueue<>(
            Comparator.comparingLong(SegmentCursor::occurredAt)
                .thenComparingInt(SegmentCursor::ord));

    private final boolean positions;

    OldestFirst(IndexSearcher searcher, Query q, boolean positions) throws IOException {
      this.positions = positions;
      Weight weight = searcher.createWeight(searcher.rewrite(q), ScoreMode.COMPLETE_NO_SCORES, 1f);
      for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
        Scorer scorer = weight.scorer(leaf);
        if (scorer != null) {
          SegmentCursor c = new SegmentCursor(leaf, scorer.iterator());
          if (c.next()) {
            queue.add(c);
          }
        }
      }
    }

    /** The next event's stored JSON, or null after the last. */
    Stored next() throws IOException {
      SegmentCursor c = queue.poll();
      if (c == null) {
        return null;
      }
      Stored json;
      if (positions) {
        Document d = c.stored.document(c.doc, StoredEvents.SOURCE_AND_POSITION);
        json =
            new Stored(
                StoredEvents.bytes(d),
                StoredEvents.provenance(d),
                StoredEvents.partition(d),
                StoredEvents.leaf(d));
      } else {
        Document d = c.stored.document(c.doc, StoredEvents.SOURCE_AND_PROVENANCE);
        json = new Stored(StoredEvents.bytes(d), StoredEvents.provenance(d), NO_POSITION, -1);
      }
      if (c.next()) {
        queue.add(c);
      }
      return json;
    }
  }

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
          occurredAt =
              occurred != null && occurred.advanceExact(doc)
                  ? occurred.longValue()
                  : Long.MIN_VALUE;
          return true;
        }
      }
      return false;
    }

    /**
     * An export reads each segment's events in doc order, the access pattern merges have; the merge
     * instance keeps the last decompressed block instead of inflating it again for every document
     * (DEFLATE blocks hold many events).
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
