package dev.mcpaudit.app.simulate;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;

/**
 * Sends {@link DemoTraffic} to a collector at a steady rate, as a fleet of gateways would: every
 * tick (100 ms) the events due, in NDJSON batches of at most {@value #BATCH} over several
 * connections ({@link BatchSender}), authenticated by a source token. Ticks are scheduled from the
 * start time, so a slow answer is caught up on rather than lowering the rate; generating runs on
 * this thread, encoding and sending on the connections' threads.
 */
public final class Simulator implements Runnable {
  private static final Duration TICK = Duration.ofMillis(100);
  static final int BATCH = 1_000;

  private final URI target;
  private final double rate;
  private final Duration duration;
  private final DemoTraffic traffic;
  private final Clock clock;
  private final BatchSender sender;
  private volatile boolean running = true;

  /**
   * @param duration how long to run; null runs until {@link #stop()}
   * @param tls whom to trust for an https target; null for the JDK's defaults
   */
  public Simulator(
      URI target,
      String token,
      double rate,
      Duration duration,
      DemoTraffic traffic,
      Clock clock,
      int connections,
      SSLContext tls) {
    this.target = ingestUri(target);
    this.rate = rate;
    this.duration = duration;
    this.traffic = traffic;
    this.clock = clock;
    this.sender = new BatchSender(this.target, token, connections, tls);
  }

  /** A collector base URL gets the ingest path; a full URL is kept. */
  public static URI ingestUri(URI target) {
    String path = target.getPath();
    return path == null || path.isEmpty() || path.equals("/")
        ? target.resolve("/v1/decisions")
        : target;
  }

  @Override
  public void run() {
    long start = System.nanoTime();
    long end = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
    double owed = 0;
    try {
      for (long tick = 0; running; tick++) {
        long due = start + tick * TICK.toNanos();
        if (due >= end) {
          break;
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        // Fan-out, retries and incidents come on top of the ordinary events asked for; counting
        // them
        // against what is owed keeps the total at the rate asked for.
        owed += rate * TICK.toNanos() / 1e9;
        List<AuthzEvent> events = traffic.next(clock.instant(), Math.max(0, (int) owed));
        owed -= events.size();
        for (int from = 0; from < events.size(); from += BATCH) {
          List<AuthzEvent> batch = events.subList(from, Math.min(events.size(), from + BATCH));
          sender.submit(batch.size(), () -> ndjson(batch));
        }
      }
      sender.close(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] ndjson(List<AuthzEvent> batch) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(batch.size() * 900);
    for (AuthzEvent e : batch) {
      body.writeBytes(EventCodec.encode(e));
      body.write('\n');
    }
    return body.toByteArray();
  }

  public URI target() {
    return target;
  }

  public BatchSender.Counts counts() {
    return sender.counts();
  }

  /** The last thing that went wrong, for the report; null if nothing did. */
  public String lastError() {
    return sender.lastError();
  }

  public void stop() {
    running = false;
  }
}
