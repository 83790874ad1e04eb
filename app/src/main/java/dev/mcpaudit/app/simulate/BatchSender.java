package dev.mcpaudit.app.simulate;

import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * NDJSON batches to a collector over several connections at once, as a fleet of gateway workers
 * sends them: one thread per connection, each building its batch body (encoding is the costly part,
 * so it runs beside the generator instead of after it) and posting it with a source token. {@link
 * #submit} waits while every connection is busy, so a collector slower than the asked rate shows as
 * a sent rate below it, never as a growing heap.
 */
public final class BatchSender implements AutoCloseable {
  /** What was sent so far; {@code failed} counts events in batches the collector did not take. */
  public record Counts(long sent, long accepted, long rejected, long failed) {}

  private record Batch(int events, Supplier<byte[]> body) {}

  private static final Batch END = new Batch(0, null);

  private final URI target;
  private final String token;
  private final HttpClient http;
  private final BlockingQueue<Batch> queue;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile String lastError;

  /**
   * @param tls the TLS context for an https target (whom to trust); null for the JDK's defaults
   */
  public BatchSender(URI target, String token, int connections, SSLContext tls) {
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5));
    if (tls != null) {
      b.sslContext(tls);
    }
    this.http = b.build();
    if (connections < 1 || connections > 256) {
      throw new IllegalArgumentException("connections must be 1 to 256, got " + connections);
    }
    this.target = target;
    this.token = token;
    this.queue = new ArrayBlockingQueue<>(connections);
    for (int i = 0; i < connections; i++) {
      threads.add(
          Thread.ofPlatform().name("mcp-audit-sender-" + i).daemon(true).start(this::sendLoop));
    }
  }

  /**
   * Queues one batch, waiting while every connection is busy; {@code body} is built on a sender
   * thread.
   */
  public void submit(int events, Supplier<byte[]> body) throws InterruptedException {
    queue.put(new Batch(events, body));
  }

  private void sendLoop() {
    try {
      for (Batch b = queue.take(); b != END; b = queue.take()) {
        send(b);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(Batch b) throws InterruptedException {
    try {
      byte[] body = b.body().get();
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(target)
                  .timeout(Duration.ofSeconds(30))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/x-ndjson")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      sent.addAndGet(b.events());
      if (r.statusCode() == 200 || r.statusCode() == 202) {
        var answer = EventCodec.mapper().readTree(r.body());
        accepted.addAndGet(answer.path("accepted").asLong());
        int bad = answer.path("rejected_total").asInt(answer.path("rejected").size());
        rejected.addAndGet(bad);
        if (bad > 0) {
          lastError = "rejected: " + answer.path("rejected").get(0);
        }
      } else {
        failed.addAndGet(b.events());
        lastError = "HTTP " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8);
      }
    } catch (IOException | RuntimeException e) {
      sent.addAndGet(b.events());
      failed.addAndGet(b.events());
      lastError = e.toString();
    }
  }

  public Counts counts() {
    return new Counts(sent.get(), accepted.get(), rejected.get(), failed.get());
  }

  /** The last thing that went wrong, for the report; null if nothing did. */
  public String lastError() {
    return lastError;
  }

  /** Sends what is queued, then stops the connections (waiting at most {@code wait}). */
  public void close(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    for (int i = 0; i < threads.size(); i++) {
      if (!queue.offer(END, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        break;
      }
    }
    for (Thread t : threads) {
      t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      t.interrupt();
    }
    http.close();
  }

  @Override
  public void close() throws InterruptedException {
    close(Duration.ofSeconds(30));
  }
}
