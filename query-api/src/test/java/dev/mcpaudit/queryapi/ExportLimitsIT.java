package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.runtime.auth.TokenDigest;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports against the real api role: past the per-caller or the global limit of running exports the
 * answer is 429 with Retry-After, and the next export once one finished runs; past the time limit
 * the transfer is cut rather than ended as if complete.
 */
class ExportLimitsIT {
  static final int EVENTS = 40_000; // tens of MB of NDJSON: more than the socket buffers hold
  static final String ANN = TokenDigest.newToken();
  static final String BEN = TokenDigest.newToken();
  static final String CID = TokenDigest.newToken();
  @TempDir Path dir;

  static Map<String, String> auditors(String... more) {
    Map<String, String> s =
        new java.util.HashMap<>(
            Map.of(
                "api.token.ann",
                TokenDigest.of(ANN),
                "api.token.ann.role",
                "auditor",
                "api.token.ann.tenants",
                "*",
                "api.token.ben",
                TokenDigest.of(BEN),
                "api.token.ben.role",
                "auditor",
                "api.token.ben.tenants",
                "*",
                "api.token.cid",
                TokenDigest.of(CID),
                "api.token.cid.role",
                "auditor",
                "api.token.cid.tenants",
                "*"));
    for (int i = 0; i < more.length; i += 2) {
      s.put(more[i], more[i + 1]);
    }
    return s;
  }

  static final Map<String, String> ALL = Map.of("from", "now-2h", "format", "ndjson");

  @Test
  void pastTheLimitsIs429WithRetryAfterAndTheNextOneAfterAFinishedExportRuns() throws Exception {
    try (ServedIndex served =
        new ServedIndex(
            dir,
            EVENTS,
            0,
            auditors("api.export.max-concurrent", "2", "api.export.max-per-caller", "1"))) {
      // Ann's export runs and, unread, holds its slot.
      HttpResponse<InputStream> first =
          served.http.send(
              served.request(ANN, "/api/v1/export", ALL).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(first.statusCode()).isEqualTo(200);
      HttpResponse<String> again = served.get(ANN, "/api/v1/export", ALL);
      assertThat(again.statusCode()).isEqualTo(429);
      assertThat(again.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(again.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(again.body()).contains("already runs 1 export");

      HttpResponse<InputStream> second =
          served.http.send(
              served.request(BEN, "/api/v1/export", ALL).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(second.statusCode()).isEqualTo(200);
      HttpResponse<String> third = served.get(CID, "/api/v1/export", ALL);
      assertThat(third.statusCode()).isEqualTo(429);
      assertThat(third.headers().firstValue("Retry-After")).hasValue("5");
      assertThat(third.body()).contains("the server already runs 2 exports");

      // Ann reads hers to the end: whole, and her next export is admitted.
      assertThat(lines(first.body())).isEqualTo(EVENTS);
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                HttpResponse<String> next = served.get(ANN, "/api/v1/export", ALL);
                assertThat(next.statusCode()).isEqualTo(200);
                assertThat(next.body().lines().count()).isEqualTo(EVENTS);
              });
      // Ben's client goes away: his slot comes back too.
      second.body().close();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () ->
                  assertThat(
                          served
                              .get(
                                  CID,
                                  "/api/v1/export",
                                  Map.of("from", "now-2h", "format", "csv", "q", "decision:deny"))
                              .statusCode())
                      .isEqualTo(200));
      // Searches are not held up by any of it.
      assertThat(served.get(ANN, "/api/v1/decisions", Map.of("limit", "1")).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void anExportPastItsTimeLimitIsCutNotEndedAsIfComplete() throws Exception {
    try (ServedIndex served =
        new ServedIndex(dir, EVENTS, 0, auditors("api.export.timeout", "300ms"))) {
      HttpResponse<InputStream> slow =
          served.http.send(
              served.request(ANN, "/api/v1/export", ALL).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(slow.statusCode()).isEqualTo(200);
      try (InputStream in = slow.body()) {
        in.readNBytes(1000);
        await()
            .pollDelay(Duration.ofMillis(600))
            .atMost(Duration.ofSeconds(2))
            .until(() -> true); // a client reading late
        assertThatThrownBy(() -> in.readAllBytes()).isInstanceOf(IOException.class);
      }
      // The slot and the reader are released: the server still exports (what fits in the limit) and
      // searches.
      assertThat(served.get(ANN, "/api/v1/decisions", Map.of("limit", "1")).statusCode())
          .isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          served
                              .get(
                                  ANN,
                                  "/api/v1/export",
                                  Map.of(
                                      "from",
                                      "now-2h",
                                      "q",
                                      "actor.id:\"spiffe://example.org/agent/a-1\""))
                              .statusCode())
                      .isEqualTo(200));
    }
  }

  static long lines(InputStream in) throws IOException {
    long n = 0;
    try (in) {
      byte[] buf = new byte[64 * 1024];
      for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
        for (int i = 0; i < r; i++) {
          if (buf[i] == '\n') {
            n++;
          }
        }
      }
    }
    return n;
  }
}
