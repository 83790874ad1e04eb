package dev.mcpaudit.app.simulate;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link DemoTraffic} to a collector at a steady rate, as a gateway would: every tick
 * (100 ms) one NDJSON batch with the events due, authenticated by a source token. Ticks are
 * scheduled from the start time, so a slow answer is caught up on rather than lowering the rate.
 */
public final class Simulator implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Simulator.class);
  private static final Duration TICK = Duration.ofMillis(100);

  /** What was sent so far; {@code failed} counts events in batches the collector did not take. */
  public record Counts(long sent, long accepted, long rejected, long failed) {}

  private final URI target;
  private final String token;
  private final double rate;
  private final Duration duration;
  private final DemoTraffic traffic;
  private final Clock clock;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean running = true;
  private volatile String lastError;

  /** @param duration how long to run; null runs until {@link #stop()} */
  public Simulator(URI target, String token, double rate, Duration duration, DemoTraffic traffic, Clock clock) {
    this.target = ingestUri(target);
    this.token = token;
    this.rate = rate;
    this.duration = duration;
    this.traffic = traffic;
    this.clock = clock;
  }

  /** A collector base URL gets the ingest path; a full URL is kept. */
  static URI ingestUri(URI target) {
    String path = target.getPath();
    return path == null || path.isEmpty() || path.equals("/") ? target.resolve("/v1/decisions") : target;
  }

  @Override
  public void run() {
    long start = System.nanoTime();
    long end = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
    double owed = 0;
    for (long tick = 0; running; tick++) {
      long due = start + tick * TICK.toNanos();
      if (due >= end) {
        break;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      // Fan-out, retries and incidents come on top of the ordinary events asked for; counting them
      // against what is owed keeps the total at the rate asked for.
      owed += rate * TICK.toNanos() / 1e9;
      List<AuthzEvent> batch = traffic.next(clock.instant(), Math.max(0, (int) owed));
      owed -= batch.size();
      if (!batch.isEmpty()) {
        send(batch);
      }
    }
  }

  private void send(List<AuthzEvent> batch) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(batch.size() * 900);
    for (AuthzEvent e : batch) {
      body.writeBytes(EventCodec.encode(e));
      body.write('\n');
    }
    sent.addAndGet(batch.size());
    try {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(20))
          .header("Authorization", "Bearer " + token)
          .header("Content-Type", "application/x-ndjson")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() == 200 || r.statusCode() == 202) {
        var answer = EventCodec.mapper().readTree(r.body());
        accepted.addAndGet(answer.path("accepted").asLong());
        int bad = answer.path("rejected").size();
        rejected.addAndGet(bad);
        if (bad > 0) {
          lastError = "rejected: " + answer.path("rejected").get(0);
        }
      } else {
        failed.addAndGet(batch.size());
        log.debug("collector answered {} to a batch of {}", r.statusCode(), batch.size());
        lastError = "HTTP " + r.statusCode() + " " + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      failed.addAndGet(batch.size());
      lastError = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  public Counts counts() {
    return new Counts(sent.get(), accepted.get(), rejected.get(), failed.get());
  }

  /** The last thing that went wrong, for the report; null if nothing did. */
  public String lastError() {
    return lastError;
  }

  public void stop() {
    running = false;
  }
}
