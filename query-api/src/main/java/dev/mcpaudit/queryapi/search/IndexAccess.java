package dev.mcpaudit.queryapi.search;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.QueryTimedOut;
import dev.mcpaudit.queryapi.store.TenantScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.QueryTimeoutImpl;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.IndexSortSortedNumericDocValuesRangeQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;

/**
 * How every endpoint reads the index: a point-in-time searcher per request with its own time limit,
 * and the filters every query gets (the caller's tenants, the time window).
 */
public final class IndexAccess {
  private final ReferenceManager<IndexSearcher> searchers;
  private final Duration timeout;
  private final SearchGate gate;

  /**
   * @param searchers a {@code SearcherManager}, or a {@link CommittedIndex} that may not be open
   *     yet
   */
  public IndexAccess(ReferenceManager<IndexSearcher> searchers, Duration timeout) {
    this(searchers, timeout, null);
  }

  /**
   * With admission: work of an API request runs through {@code gate} (see {@link SearchGate});
   * without a request, inline.
   */
  public IndexAccess(ReferenceManager<IndexSearcher> searchers, Duration timeout, SearchGate gate) {
    this.searchers = searchers;
    this.timeout = timeout;
    this.gate = gate;
  }

  /** Work against one searcher; a query past the time limit ends the request with 503. */
  public interface Work<T> {
    T run(IndexSearcher searcher) throws IOException;
  }

  /**
   * Like {@link #read} but without the time limit, for streams (exports) that must see one
   * point-in-time view from the first row to the last.
   */
  public <T> T readAll(Work<T> work) {
    IndexSearcher shared;
    try {
      shared = searchers.acquire();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      if (shared instanceof CommittedIndex.Placeholder p) {
        throw new IndexUnavailable(p.reason);
      }
      return work.run(shared);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        searchers.release(shared);
      } catch (IOException e) {
        // releasing a reader reference; nothing a request can do about it
      }
    }
  }

  /**
   * Work under the request's time limit: one deadline covers rewriting the query, walking term
   * dictionaries (see {@link TimeLimitedReader}) and collecting matches; past it the request ends
   * with 503. Loops that issue several searches read it with {@link #pastDeadline}.
   */
  public <T> T read(Work<T> work) {
    RequestScope scope = RequestScope.current();
    if (gate == null || scope == null || scope.principal() == null) {
      return readWithin(timeout.toMillis(), work);
    }
    // The deadline counts from the request's arrival: waiting for a turn is part of it.
    long deadline = scope.arrivalNanos() + timeout.toNanos();
    return gate.run(
        scope.principal(),
        deadline,
        () -> {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (left <= 0) {
            throw timedOut();
          }
          return readWithin(left, work);
        },
        timedOut());
  }

  /**
   * A request's CPU work that reads nothing (parsing {@code q}, whose wildcards become automata):
   * on the search threads as well, under the same admission and deadline, so a burst of expensive
   * queries cannot hold the virtual threads' carriers while it is parsed.
   */
  public <T> T compute(java.util.function.Supplier<T> work) {
    RequestScope scope = RequestScope.current();
    if (gate == null || scope == null || scope.principal() == null) {
      return work.get();
    }
    return gate.run(
        scope.principal(), scope.arrivalNanos() + timeout.toNanos(), work::get, timedOut());
  }

  private <T> T readWithin(long millis, Work<T> work) {
    return readAll(
        shared -> {
          QueryTimeoutImpl deadline = new QueryTimeoutImpl(millis);
          // A SearcherManager's reader is always a DirectoryReader; anything else is searched as it
          // is.
          IndexSearcher searcher =
              new IndexSearcher(
                  shared.getIndexReader() instanceof DirectoryReader dr
                      ? TimeLimitedReader.wrap(dr, deadline)
                      : shared.getIndexReader());
          searcher.setQueryCache(shared.getQueryCache());
          searcher.setQueryCachingPolicy(shared.getQueryCachingPolicy());
          searcher.setTimeout(deadline);
          T result;
          try {
            result = work.run(searcher);
          } catch (IndexSearcher.TooManyClauses e) {
            // Clauses counted again at rewrite (nesting included): past the limit is the caller's
            // query, not a server fault.
            throw new InvalidQuery(
                "q: the query has more than "
                    + IndexSearcher.getMaxClauseCount()
                    + " clauses once rewritten; narrow it");
          } catch (TimeLimitedReader.DeadlinePassed e) {
            throw timedOut();
          }
          if (searcher.timedOut()) {
            throw timedOut();
          }
          return result;
        });
  }

  /**
   * Whether the request working on {@code searcher} has run out of time (a searcher without a limit
   * never does).
   */
  public static boolean pastDeadline(IndexSearcher searcher) {
    return searcher.getTimeout() != null && searcher.getTimeout().shouldExit();
  }

  private QueryTimedOut timedOut() {
    return new QueryTimedOut(timeout);
  }

  /** The filter of a request's tenants: the one place a tenant scope becomes a query. */
  public static Query tenants(TenantScope scope) {
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
    List<BytesRef> terms = new ArrayList<>();
    scope.tenants().forEach(t -> terms.add(new BytesRef(t)));
    return new TermInSetQuery(IndexSchema.TENANT, terms);
  }

  /** occurred_at in [from, to). */
  public static Query window(TimeRange range) {
    return occurredBetween(range.from().toEpochMilli(), range.to().toEpochMilli() - 1);
  }

  /**
   * occurred_at in [from, to] (inclusive). The index is sorted by occurred_at, so on a sorted
   * segment this is a contiguous run of doc ids found by binary search, not a points traversal;
   * elsewhere it falls back to the points query.
   */
  public static Query occurredBetween(long from, long to) {
    return new IndexSortSortedNumericDocValuesRangeQuery(
        IndexSchema.OCCURRED_AT,
        from,
        to,
        LongPoint.newRangeQuery(IndexSchema.OCCURRED_AT, from, to));
  }

  public static Query decisionsOnly() {
    return new TermQuery(new Term(IndexSchema.KIND, "decision"));
  }

  /** Below this many documents one thread loads them; above, the work is split across the cores. */
  private static final int PARALLEL_FROM = 64;

  private static final int CORES = Math.max(1, Runtime.getRuntime().availableProcessors());

  /**
   * Decompressing stored events is most of a page's cost (one DEFLATE block per event when they are
   * far apart, as one actor's or one handle's are). Plain platform threads, never interrupted: an
   * interrupt inside Lucene's file reads would close the index's channels.
   */
  private static final ExecutorService LOADERS =
      Executors.newFixedThreadPool(
          CORES,
          r -> Thread.ofPlatform().name("mcp-audit-stored-fields").daemon(true).unstarted(r));

  /**
   * The stored events of {@code hits}, in the same order. Above {@link #PARALLEL_FROM} hits the
   * loader threads and this one take small runs of hits from a shared counter until none are left:
   * a thread that starts late or loses its core leaves its share to the others (fixed halves made
   * the slowest requests about as slow as one thread alone), and this thread waits only for runs
   * already taken, never for a helper still queued behind other requests.
   */
  public static List<JsonNode> sources(IndexSearcher searcher, ScoreDoc[] hits) throws IOException {
    PageLoad page = new PageLoad(searcher, hits);
    if (hits.length >= PARALLEL_FROM) {
      for (int p = 1; p < CORES; p++) {
        LOADERS.execute(page::work);
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
      StoredFields stored =
          null; // one per thread (StoredFields are not thread-safe), opened once there is work
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
