package dev.mcpaudit.app.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's one process under a search storm: one analyst fires eight searches that walk
 * whole term dictionaries (allowed by the default term policy: three literal characters, then
 * wildcards). Gateways must still be heard, and another analyst and a liveness probe answered,
 * because searches are admitted a few at a time onto their own threads, with their deadline counted
 * from arrival.
 */
class QuickstartStormIT {
  static final int EVENTS = 120_000;
  static final int BATCH = 5_000;
  @TempDir Path dir;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final HttpClient http = HttpClient.newBuilder().executor(threads).build();

  record Timed(int status, Duration took) {}

  @Test
  void aSearchStormLeavesTheCollectorOtherAnalystsAndLivenessAnsweredAtOnce() throws Exception {
    try (Quickstart qs =
        Quickstart.start(
            new Quickstart.Options(
                0,
                QuickstartIT.freePortPair(),
                dir.resolve("data"),
                false,
                1,
                Duration.ofSeconds(45)))) {
      String base = "http://127.0.0.1:" + qs.port();
      SyntheticEvents gen = new SyntheticEvents(91, Instant.now().minus(Duration.ofMinutes(30)));
      for (int sent = 0; sent < EVENTS; sent += BATCH) {
        ByteArrayOutputStream ndjson = new ByteArrayOutputStream();
        for (int i = 0; i < BATCH; i++) {
          ndjson.write(EventCodec.encode(inQuickstartTenants(gen.next())));
          ndjson.write('\n');
        }
        Timed posted = post(base, qs.tokens().collector(), ndjson.toByteArray());
        assertThat(posted.status()).isEqualTo(202);
      }
      String auditor = qs.tokens().auditor();
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> total(base, auditor) == EVENTS);

      List<CompletableFuture<Timed>> storm = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String q = heavy(i);
        storm.add(
            CompletableFuture.supplyAsync(() -> get(base, qs.tokens().analyst(), q), threads));
      }
      // Let the storm arrive before measuring the others.
      long due = System.nanoTime() + Duration.ofMillis(300).toNanos();
      while (System.nanoTime() < due && storm.stream().noneMatch(CompletableFuture::isDone)) {
        Thread.onSpinWait();
      }
      List<Timed> collector = new ArrayList<>();
      List<Timed> others = new ArrayList<>();
      List<Timed> live = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        byte[] one = EventCodec.encode(inQuickstartTenants(gen.next()));
        collector.add(post(base, qs.tokens().collector(), one));
        others.add(get(base, auditor, "/api/v1/decisions?from=now-1h&limit=5&q=decision%3Adeny"));
        live.add(get(base, null, "/health/live"));
      }
      boolean stormStillRunning = storm.stream().anyMatch(f -> !f.isDone());
      List<Timed> heavies = storm.stream().map(CompletableFuture::join).toList();
      System.out.printf(
          "quickstart storm: collector %s ms, other analyst %s ms, live %s ms; heavy %s; storm still running after the probes: %s%n",
          millis(collector),
          millis(others),
          millis(live),
          heavies.stream().map(t -> t.status() + "/" + t.took().toMillis() + "ms").toList(),
          stormStillRunning);

      assertThat(collector)
          .allSatisfy(
              t -> {
                assertThat(t.status()).isEqualTo(202);
                assertThat(t.took()).isLessThan(Duration.ofSeconds(1));
              });
      assertThat(others)
          .allSatisfy(
              t -> {
                assertThat(t.status()).isEqualTo(200);
                assertThat(t.took()).isLessThan(Duration.ofSeconds(1));
              });
      assertThat(live)
          .allSatisfy(
              t -> {
                assertThat(t.status()).isEqualTo(200);
                assertThat(t.took()).isLessThan(Duration.ofSeconds(1));
              });
      // Refused at once past the caller's queue, or answered within the deadline (10 s) counted
      // from arrival.
      assertThat(heavies)
          .allSatisfy(
              t -> {
                assertThat(t.status()).isIn(200, 429, 503);
                assertThat(t.took()).isLessThan(Duration.ofSeconds(12));
              });
    } finally {
      threads.shutdownNow();
    }
  }

  /** The quickstart's collector token covers the demo tenants only. */
  private static AuthzEvent inQuickstartTenants(AuthzEvent e) {
    String tenant =
        QuickstartTokens.COLLECTOR_TENANTS.get(
            Math.floorMod(e.tenant().hashCode(), QuickstartTokens.COLLECTOR_TENANTS.size()));
    return e.toBuilder().tenant(tenant).build();
  }

  /**
   * Thirty wildcards over the event id, nonce and request id dictionaries, a different set for each
   * {@code n}.
   */
  private static String heavy(int n) {
    List<String> clauses = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      int a = (n + d) % 10;
      int b = (n * 3 + d) % 10;
      clauses.add("event_id:ev-*" + a + "*" + b + "*" + d + "*");
      clauses.add("request.nonce:non*" + b + "*" + a + "*");
      clauses.add("request.id:req*" + a + "*" + d + "*" + b + "*");
    }
    return "/api/v1/decisions?from=now-7d&q="
        + URLEncoder.encode(String.join(" OR ", clauses), StandardCharsets.UTF_8);
  }

  private Timed post(String base, String token, byte[] ndjson) {
    return send(
        HttpRequest.newBuilder(URI.create(base + "/v1/decisions"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson)));
  }

  private Timed get(String base, String token, String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b.GET());
  }

  private Timed send(HttpRequest.Builder b) {
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> r =
          http.send(
              b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      return new Timed(r.statusCode(), Duration.ofNanos(System.nanoTime() - t0));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private long total(String base, String token) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/decisions?from=now-2h&limit=1"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200
        ? EventCodec.mapper().readTree(r.body()).get("total").asLong()
        : -1;
  }

  private static List<Long> millis(List<Timed> ts) {
    return ts.stream().map(t -> t.took().toMillis()).toList();
  }
}
