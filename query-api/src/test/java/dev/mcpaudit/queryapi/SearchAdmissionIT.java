package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.alerts.AlertIndex;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One analyst fires eight expensive searches at once; another tenant's analyst, and a liveness
 * probe, are still answered at once, against the real api role. The expensive ones are admitted a
 * few at a time (the rest refused with 429 or answered within their deadline, counted from
 * arrival).
 */
class SearchAdmissionIT {
  static final int CORPUS = 150_000;
  static final Duration TIMEOUT = Duration.ofSeconds(4);
  static final String HEAVY = TokenDigest.newToken();
  static final String OTHER = TokenDigest.newToken();
  static final HttpClient http =
      HttpClient.newBuilder()
          .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
          .build();
  static Path dir;
  static ApiServer api;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("search-admission");
    SyntheticEvents gen = new SyntheticEvents(77, Instant.now().minus(Duration.ofDays(2)));
    try (EventIndex index = EventIndex.open(dir.resolve("index"), 64)) {
      for (int i = 0; i < CORPUS; i++) {
        AuthzEvent e = gen.next();
        byte[] raw = EventCodec.encode(e);
        index.append(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      }
      index.commit(Map.of("t:0", (long) CORPUS));
    }
    AlertIndex.open(dir.resolve("alerts")).close();
    api =
        ApiServer.start(
            ApiConfig.from(
                Settings.of(
                    Map.ofEntries(
                        Map.entry("api.port", "0"),
                        Map.entry("api.index-dir", dir.resolve("index").toString()),
                        Map.entry("api.audit", "false"),
                        // The operator allowed scans that walk whole term dictionaries: exactly
                        // what admission is for.
                        Map.entry("api.query.min-prefix", "0"),
                        Map.entry("api.leading-wildcards", "true"),
                        Map.entry("api.query-timeout", TIMEOUT.toSeconds() + "s"),
                        Map.entry("api.search.max-concurrent", "2"),
                        Map.entry("api.search.max-per-caller", "1"),
                        Map.entry("api.search.max-queued-per-caller", "3"),
                        Map.entry("api.token.heavy", TokenDigest.of(HEAVY)),
                        Map.entry("api.token.heavy.role", "analyst"),
                        Map.entry("api.token.heavy.tenants", "*"),
                        Map.entry("api.token.other", TokenDigest.of(OTHER)),
                        Map.entry("api.token.other.role", "analyst"),
                        Map.entry("api.token.other.tenants", "tenant-1")))));
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  static HttpResponse<String> get(String token, String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
            .timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  record Timed(HttpResponse<String> response, Duration took) {}

  /**
   * Wildcards that walk the whole dictionaries of high-cardinality fields, a different set for each
   * {@code n}.
   */
  static String heavy(int n) {
    List<String> clauses = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      int a = (n + d) % 10;
      int b = (n * 3 + d) % 10;
      clauses.add("event_id:*" + a + "*" + b + "*" + d + "*");
      clauses.add("request.nonce:*" + b + "*" + a + "*");
      clauses.add("request.trace_id:*" + a + "*" + d + "*" + b + "*");
    }
    return "/api/v1/decisions?from=0000-01-01T00:00:00Z&q="
        + URLEncoder.encode(String.join(" OR ", clauses), StandardCharsets.UTF_8);
  }

  static Timed timed(String token, String path) {
    long t0 = System.nanoTime();
    HttpResponse<String> r = get(token, path);
    return new Timed(r, Duration.ofNanos(System.nanoTime() - t0));
  }

  @Test
  void eightHeavySearchesFromOneCallerStallNobodyElse() throws Exception {
    String heavy = heavy(0);
    String simple = "/api/v1/decisions?from=now-7d&limit=5&q=decision%3Adeny";
    Timed alone = timed(OTHER, simple);
    assertThat(alone.response().statusCode()).isEqualTo(200);
    Timed heavyAlone = timed(HEAVY, heavy);
    System.out.printf(
        "search admission: simple alone %d ms, heavy alone %d ms (status %d)%n",
        alone.took().toMillis(), heavyAlone.took().toMillis(), heavyAlone.response().statusCode());

    List<CompletableFuture<Timed>> storm = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String q = heavy(i + 1); // each its own: a cached answer would not be heavy
      storm.add(
          CompletableFuture.supplyAsync(
              () -> timed(HEAVY, q),
              java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
    }
    // Let the storm arrive before measuring the others.
    long due = System.nanoTime() + Duration.ofMillis(300).toNanos();
    while (System.nanoTime() < due && storm.stream().noneMatch(CompletableFuture::isDone)) {
      Thread.onSpinWait();
    }
    List<Timed> others = new ArrayList<>();
    List<Timed> probes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      others.add(timed(OTHER, simple));
      probes.add(timed(null, "/health/live"));
    }
    List<Timed> heavies = storm.stream().map(CompletableFuture::join).toList();
    System.out.printf(
        "search admission: during the storm, simple %s ms, live %s ms; heavy %s%n",
        others.stream().map(t -> t.took().toMillis()).toList(),
        probes.stream().map(t -> t.took().toMillis()).toList(),
        heavies.stream()
            .map(t -> t.response().statusCode() + "/" + t.took().toMillis() + "ms")
            .toList());

    assertThat(others)
        .allSatisfy(
            t -> {
              assertThat(t.response().statusCode()).isEqualTo(200);
              assertThat(t.took()).isLessThan(Duration.ofSeconds(1));
            });
    assertThat(probes)
        .allSatisfy(
            t -> {
              assertThat(t.response().statusCode()).isEqualTo(200);
              assertThat(t.took()).isLessThan(Duration.ofSeconds(1));
            });
    // One runs, three wait their turn, the rest are refused at once; none outlives its deadline by
    // much.
    assertThat(heavies.stream().filter(t -> t.response().statusCode() == 429).count())
        .isGreaterThanOrEqualTo(4);
    assertThat(heavies)
        .allSatisfy(
            t -> {
              assertThat(t.response().statusCode()).isIn(200, 429, 503);
              assertThat(t.took()).isLessThan(TIMEOUT.plusSeconds(2));
              if (t.response().statusCode() == 429) {
                assertThat(t.response().headers().firstValue("Retry-After")).isPresent();
              }
            });
    JsonNode after = EventCodec.mapper().readTree(get(OTHER, simple).body());
    assertThat(after.get("total").asLong()).isPositive();
  }
}
