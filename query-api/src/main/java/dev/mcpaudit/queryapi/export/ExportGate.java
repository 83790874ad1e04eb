package dev.mcpaudit.queryapi.export;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits an export when both the process and its caller are under their limits of running exports.
 */
public final class ExportGate {
  private final ExportLimits limits;
  private final AtomicInteger running = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perCaller = new ConcurrentHashMap<>();

  public ExportGate(ExportLimits limits) {
    this.limits = limits;
  }

  /** A slot that ends when closed. */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /** Why an export was not admitted. */
  public enum Refusal {
    CALLER_BUSY,
    SERVER_BUSY
  }

  /** A slot for {@code principal}, or why not; never waits. */
  public Result enter(String principal) {
    boolean[] admitted = {false};
    perCaller.compute(
        principal,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= limits.maxPerCaller()) {
            return n;
          }
          admitted[0] = true;
          return now + 1;
        });
    if (!admitted[0]) {
      return new Result(Optional.empty(), Refusal.CALLER_BUSY);
    }
    if (running.incrementAndGet() > limits.maxConcurrent()) {
      running.decrementAndGet();
      leave(principal);
      return new Result(Optional.empty(), Refusal.SERVER_BUSY);
    }
    AtomicBoolean open = new AtomicBoolean(true);
    Slot slot =
        () -> {
          if (open.compareAndSet(true, false)) {
            running.decrementAndGet();
            leave(principal);
          }
        };
    return new Result(Optional.of(slot), null);
  }

  public record Result(Optional<Slot> slot, Refusal refusal) {}

  /** Exports running now (tests, metrics). */
  public int running() {
    return running.get();
  }

  private void leave(String principal) {
    // Removed at zero so the map holds only callers with a running export.
    perCaller.computeIfPresent(principal, (k, n) -> n <= 1 ? null : n - 1);
  }
}
