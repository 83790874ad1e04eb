package dev.mcpaudit.queryapi.store.lucene;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.StoredEvents;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;

/**
 * Reads the stored events of a page of hits. Decompressing them is most of a page's cost (one
 * DEFLATE block per event when they are far apart, as one actor's or one handle's are), so above
 * {@link #PARALLEL_FROM} hits the helper threads share the work.
 */
final class StoredEventLoader {
  /** Below this many documents one thread loads them; above, the work is split across threads. */
  private static final int PARALLEL_FROM = 64;

  private final ExecutorService helpers;
  private final int threads;

  StoredEventLoader(ExecutorService helpers, int threads) {
    this.helpers = helpers;
    this.threads = threads;
  }

  /**
   * The stored events of {@code hits}, in the same order. The helper threads and this one take
   * small runs of hits from a shared counter until none are left: a thread that starts late or
   * loses its core leaves its share to the others (fixed halves made the slowest requests about as
   * slow as one thread alone), and this thread waits only for runs already taken, never for a
   * helper still queued behind other requests.
   */
  List<JsonNode> load(IndexSearcher searcher, ScoreDoc[] hits) throws IOException {
    PageLoad page = new PageLoad(searcher, hits);
    if (hits.length >= PARALLEL_FROM) {
      try {
        for (int p = 1; p < threads; p++) {
          helpers.execute(page::work);
        }
      } catch (RejectedExecutionException e) {
        // shutting down: this thread does the rest alone
      }
    }
    page.work();
    return page.result();
  }

  /** One page's loading, shared by the threads that help with it. */
  private static final class PageLoad {
    /**
     * Hits taken at a time: enough to keep the counter cold, few enough to even out the threads.
     */
    private static final int RUN = 16;

    private final IndexSearcher searcher;
    private final ScoreDoc[] hits;
    private final JsonNode[] out;
    private final int runs;
    private final AtomicInteger next = new AtomicInteger();
    private final CountDownLatch unfinished;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    PageLoad(IndexSearcher searcher, ScoreDoc[] hits) {
      this.searcher = searcher;
      this.hits = hits;
      this.out = new JsonNode[hits.length];
      this.runs = (hits.length + RUN - 1) / RUN;
      this.unfinished = new CountDownLatch(runs);
    }

    void work() {
      // One per thread (StoredFields are not thread-safe), opened once there is work.
      StoredFields stored = null;
      for (int run = next.getAndIncrement(); run < runs; run = next.getAndIncrement()) {
        try {
          if (failure.get() == null) {
            if (stored == null) {
              stored = searcher.storedFields();
            }
            for (int i = run * RUN, to = Math.min(hits.length, i + RUN); i < to; i++) {
              out[i] = StoredEvents.json(stored.document(hits[i].doc, StoredEvents.SOURCE_ONLY));
            }
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        } finally {
          unfinished.countDown();
        }
      }
    }

    List<JsonNode> result() throws IOException {
      try {
        unfinished.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while loading events", e);
      }
      Throwable t = failure.get();
      if (t != null) {
        throw t instanceof IOException io ? io : new IOException("cannot load stored events", t);
      }
      return Arrays.asList(out);
    }
  }
}
