package dev.mcpaudit.detector;

import dev.mcpaudit.runtime.health.Health;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the detector's stream threads are all doing their work. A thread that dies is replaced
 * (its state is in changelogs), but a replacement that dies again on the same input would look like
 * a detector at work: readiness says so for {@link #SHOWN} after every failure, and {@code
 * mcp_audit_detector_stream_thread_failures} counts them.
 */
final class StreamThreadHealth {
  /** How long readiness reports a failed thread after it was replaced. */
  static final Duration SHOWN = Duration.ofMinutes(1);

  private final Clock clock;
  private final Counter failures;
  private final AtomicReference<Failure> last = new AtomicReference<>();

  private record Failure(Instant at, String what) {}

  StreamThreadHealth(Clock clock, MeterRegistry registry) {
    this.clock = clock;
    this.failures =
        Counter.builder("mcp_audit_detector_stream_thread_failures")
            .description("stream threads that died on an error and were replaced")
            .register(registry);
  }

  void failed(Throwable e) {
    failures.increment();
    // The exception's type only: its message may quote event data.
    last.set(new Failure(clock.instant(), e.getClass().getSimpleName()));
  }

  /**
   * @param alive stream threads running now
   * @param configured how many there should be
   */
  Health health(int alive, int configured) {
    Failure f = last.get();
    if (f != null && f.at().plus(SHOWN).isAfter(clock.instant())) {
      long ago = Duration.between(f.at(), clock.instant()).toSeconds();
      return Health.notReady(
          "a detector stream thread failed " + ago + " s ago (" + f.what() + ") and was replaced");
    }
    if (alive < configured) {
      return Health.notReady(
          "detector stream threads alive " + alive + " of " + configured + " configured");
    }
    return Health.READY;
  }

  double failureCount() {
    return failures.count();
  }
}
