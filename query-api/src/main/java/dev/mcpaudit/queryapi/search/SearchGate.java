package dev.mcpaudit.queryapi.search;

import dev.mcpaudit.queryapi.store.QueryTimedOut;
import dev.mcpaudit.queryapi.store.TooManySearches;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Admission for search work. Lucene work never parks, so on virtual threads a few heavy searches
 * would hold every carrier thread and stall health checks, the collector and every other tenant's
 * search. Here it runs on its own platform threads, as many as {@code maxConcurrent}, and each
 * caller runs at most {@code maxPerCaller} at once; the request's own (virtual) thread only waits,
 * so it holds no carrier. A caller with more than {@code maxPerCaller + maxQueuedPerCaller}
 * searches running or waiting gets 429 at once; one whose turn does not come before its deadline
 * (counted from the request's arrival) gets 503.
 */
public final class SearchGate {
  /**
   * @param maxConcurrent search threads ({@code api.search.max-concurrent}, default the cores)
   * @param maxPerCaller searches one principal runs at once ({@code api.search.max-per-caller},
   *     default half the cores, at least 1): the rest of the threads stay for other callers
   * @param maxQueuedPerCaller more of one principal's searches that may wait their turn ({@code
   *     api.search.max-queued-per-caller}, default 16: the UI asks for a page, a histogram and
   *     several facets at once); past that, 429
   */
  public record Limits(int maxConcurrent, int maxPerCaller, int maxQueuedPerCaller) {
    public static Limits forThisMachine() {
      int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
      return new Limits(cores, Math.max(1, cores / 2), 16);
    }

    public Limits {
      if (maxConcurrent < 1 || maxPerCaller < 1 || maxQueuedPerCaller < 0) {
        throw new IllegalArgumentException("search limits must be positive");
      }
    }
  }

  private final Limits limits;
  private final ThreadPoolExecutor pool;

  /**
   * Callers with searches waiting or running; an entry goes when its last search ends, so idle
   * callers cost nothing.
   */
  private final ConcurrentHashMap<String, Turns> callers = new ConcurrentHashMap<>();

  /**
   * One caller's searches: the running slots, and how many are admitted and not yet ended (changed
   * under the map's lock).
   */
  private static final class Turns {
    final Semaphore slots;
    int admitted;

    Turns(int slots) {
      this.slots = new Semaphore(slots, true);
    }
  }

  public SearchGate(Limits limits) {
    this.limits = limits;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            limits.maxConcurrent(),
            limits.maxConcurrent(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r ->
                Thread.ofPlatform()
                    .name("mcp-audit-search-" + n.incrementAndGet())
                    .daemon(true)
                    .unstarted(r));
    // Idle threads go away: nothing to close when the API stops.
    pool.allowCoreThreadTimeOut(true);
  }

  public Limits limits() {
    return limits;
  }

  /**
   * A request's read under its deadline ({@code timeout} counted from its arrival, waiting for a
   * turn included) and, when there is a gate and a caller, on a search thread: {@code work} gets
   * the milliseconds left. Without a gate (tests, benchmarks) or outside a request it runs here
   * with the whole timeout. Both stores read through this.
   */
  public static <T> T timed(
      SearchGate gate, Duration timeout, LongFunction<T> work, Supplier<QueryTimedOut> timedOut) {
    RequestScope scope = RequestScope.current();
    if (gate == null || scope == null || scope.principal() == null) {
      return work.apply(timeout.toMillis());
    }
    long deadline = scope.arrivalNanos() + timeout.toNanos();
    return gate.run(
        scope.principal(),
        deadline,
        () -> {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (left <= 0) {
            throw timedOut.get();
          }
          return work.apply(left);
        },
        timedOut.get());
  }

  /**
   * A request's CPU work that reads nothing (parsing {@code q}, whose wildcards become automata):
   * on the search threads as well, under the same admission and deadline, so a burst of expensive
   * queries cannot hold the virtual threads' carriers while it is parsed.
   */
  public static <T> T compute(
      SearchGate gate, Duration timeout, Supplier<T> work, Supplier<QueryTimedOut> timedOut) {
    RequestScope scope = RequestScope.current();
    if (gate == null || scope == null || scope.principal() == null) {
      return work.get();
    }
    return gate.run(
        scope.principal(), scope.arrivalNanos() + timeout.toNanos(), work::get, timedOut.get());
  }

  /**
   * Runs {@code work} for {@code principal} on a search thread, waiting at most until {@code
   * deadlineNanos}.
   */
  public <T> T run(String principal, long deadlineNanos, Callable<T> work, QueryTimedOut timedOut) {
    Turns mine = enter(principal);
    boolean handedOver = false;
    try {
      if (!mine.slots.tryAcquire(
          Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw timedOut;
      }
      Future<T> f;
      try {
        f =
            pool.submit(
                () -> {
                  try {
                    return work.call();
                  } finally {
                    // When the work really ends, not when the waiter gives up: until then it counts
                    // against the caller.
                    mine.slots.release();
                    leave(principal);
                  }
                });
      } catch (RuntimeException e) {
        mine.slots.release();
        throw e;
      }
      handedOver = true;
      return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // Not interrupted: an interrupt inside Lucene's file reads would close the index. The work's
      // own deadline is the same instant, so it stops by itself.
      throw timedOut;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw timedOut;
    } finally {
      if (!handedOver) {
        leave(principal);
      }
    }
  }

  /**
   * Admits one more search of {@code principal}, or answers 429 when it has as many as it may
   * running or waiting.
   */
  private Turns enter(String principal) {
    int most = limits.maxPerCaller() + limits.maxQueuedPerCaller();
    boolean[] full = {false};
    Turns mine =
        callers.compute(
            principal,
            (p, t) -> {
              Turns turns = t == null ? new Turns(limits.maxPerCaller()) : t;
              if (turns.admitted >= most) {
                full[0] = true;
              } else {
                turns.admitted++;
              }
              return turns;
            });
    if (full[0]) {
      throw new TooManySearches(most);
    }
    return mine;
  }

  private void leave(String principal) {
    callers.computeIfPresent(principal, (p, t) -> --t.admitted == 0 ? null : t);
  }

  /** Callers with a search waiting or running (what the gate keeps in memory). */
  int callersInFlight() {
    return callers.size();
  }
}
