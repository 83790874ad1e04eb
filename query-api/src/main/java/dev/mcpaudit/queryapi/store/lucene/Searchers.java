package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.queryapi.search.SearchGate;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.QueryTimedOut;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.QueryTimeoutImpl;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;

/**
 * Leases a point-in-time searcher per piece of work, under the request's deadline and the search
 * admission: the one place a Lucene read starts, so every question is bounded the same way.
 */
final class Searchers {
  private final ReferenceManager<IndexSearcher> searchers;
  private final Duration timeout;
  private final SearchGate gate;

  /**
   * @param searchers a {@code SearcherManager}, or a {@link CommittedIndex} that may not be open
   *     yet
   * @param gate admission for API requests (see {@link SearchGate}); null runs work inline
   */
  Searchers(ReferenceManager<IndexSearcher> searchers, Duration timeout, SearchGate gate) {
    this.searchers = searchers;
    this.timeout = timeout;
    this.gate = gate;
  }

  /** Work against one searcher. */
  interface Work<T> {
    T run(IndexSearcher searcher) throws IOException;
  }

  /**
   * Like {@link #read} but without the time limit, for streams (exports) that must see one
   * point-in-time view from the first row to the last.
   */
  <T> T readAll(Work<T> work) {
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
    } catch (IndexSearcher.TooManyClauses e) {
      throw tooManyClauses();
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
   * dictionaries (see {@link TimeLimitedReader}) and collecting matches; past it the work ends with
   * {@link QueryTimedOut}. Loops that issue several searches read it with {@link #pastDeadline}.
   */
  <T> T read(Work<T> work) {
    return SearchGate.timed(gate, timeout, left -> readWithin(left, work), this::timedOut);
  }

  /**
   * A request's CPU work that reads nothing (parsing {@code q}), under the same admission and
   * deadline ({@link SearchGate#compute}).
   */
  <T> T compute(Supplier<T> work) {
    return SearchGate.compute(gate, timeout, work, this::timedOut);
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
   * Whether the work on {@code searcher} has run out of time (a searcher without a limit never
   * does).
   */
  static boolean pastDeadline(IndexSearcher searcher) {
    return searcher.getTimeout() != null && searcher.getTimeout().shouldExit();
  }

  /**
   * Clauses are counted again at rewrite (nesting included): past the limit is the caller's query,
   * not a server fault.
   */
  static InvalidQuery tooManyClauses() {
    return new InvalidQuery(
        "q: the query has more than "
            + IndexSearcher.getMaxClauseCount()
            + " clauses once rewritten; narrow it");
  }

  private QueryTimedOut timedOut() {
    return new QueryTimedOut(timeout);
  }
}
