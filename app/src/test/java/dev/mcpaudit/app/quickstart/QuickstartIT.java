package dev.mcpaudit.app.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.web.Browser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The quickstart as a newcomer meets it: one process, demo traffic searchable within a minute,
 * alerts from the demo incidents, the UI on the same port, and everything still there after a
 * restart on the same data directory. Also the two start-up mistakes it must explain.
 */
class QuickstartIT {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void demoTrafficIsSearchableAlertsAppearAndARestartKeepsEverything() throws Exception {
    Path data = dir.resolve("data");
    int kafkaPort = freePortPair();
    QuickstartTokens tokens;
    int port;
    long start = System.nanoTime();
    try (Quickstart qs =
        Quickstart.start(
            new Quickstart.Options(0, kafkaPort, data, true, 40, Duration.ofSeconds(4)))) {
      port = qs.port();
      tokens = qs.tokens();
      String analyst = tokens.analyst();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> total(port, analyst, "/api/v1/decisions?from=now-1h&limit=1") > 0);
      System.out.printf(
          "quickstart: demo decisions searchable %.1f s after start%n",
          (System.nanoTime() - start) / 1e9);
      // The first incidents (revoked-handle use, then a replay) come 4 s and 8 s in.
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> total(port, analyst, "/api/v1/alerts?from=now-1h") >= 2);
      JsonNode alerts = get(port, analyst, "/api/v1/alerts?from=now-1h");
      Set<String> types = new HashSet<>();
      alerts.get("alerts").forEach(a -> types.add(a.get("type").asText()));
      assertThat(types).contains("REVOKED_HANDLE_USE");
      assertThat(qs.simulator().counts().rejected()).as("the demo traffic is valid").isZero();

      HttpResponse<String> ui =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ui.statusCode()).isEqualTo(200);
      assertThat(ui.headers().firstValue("Content-Security-Policy"))
          .hasValueSatisfying(v -> assertThat(v).contains("default-src 'none'"));
      assertThat(status(port, null, "/health/ready")).isEqualTo(200);
      assertThat(status(port, null, "/api/v1/decisions")).isEqualTo(401);
      searchPageShowsTheDemosSecondsAsBars(port, analyst, start);
    }
    Set<String> before = new HashSet<>(EventIndex.committedEventIds(data.resolve("index")));
    assertThat(before).isNotEmpty();
    assertThat(Files.readString(data.resolve(QuickstartTokens.FILE))).contains(tokens.analyst());

    try (Quickstart again =
        Quickstart.start(
            new Quickstart.Options(0, kafkaPort, data, false, 40, Duration.ofSeconds(45)))) {
      assertThat(again.tokens()).as("the same tokens: sign-in links stay valid").isEqualTo(tokens);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  total(again.port(), tokens.admin(), "/api/v1/decisions?from=now-1h&limit=1") > 0);
    }
    Set<String> after = new HashSet<>(EventIndex.committedEventIds(data.resolve("index")));
    assertThat(after)
        .as("every event indexed before the restart is still there")
        .containsAll(before);
  }

  /**
   * What a newcomer sees first: the search page with no range chosen. Within a minute of start its
   * histogram must show the demo as several bars, not one bar for the whole default day.
   */
  private void searchPageShowsTheDemosSecondsAsBars(int port, String analyst, long startedNanos)
      throws Exception {
    try (Browser browser = new Browser(Files.createDirectories(dir.resolve("downloads")))) {
      browser.driver.get("http://127.0.0.1:" + port + "/#token=" + analyst);
      Duration left = Duration.ofSeconds(60).minusNanos(System.nanoTime() - startedNanos);
      new WebDriverWait(browser.driver, left.isNegative() ? Duration.ZERO : left)
          .until(
              d -> {
                if (barsWithDecisions(d) > 1) {
                  return true;
                }
                d.navigate().refresh();
                return false;
              });
      System.out.printf(
          "quickstart: search page shows %d bars with decisions %.1f s after start (%s), screenshot %s%n",
          barsWithDecisions(browser.driver),
          (System.nanoTime() - startedNanos) / 1e9,
          browser.driver.findElement(By.id("bar-span")).getText(),
          browser.screenshot("quickstart-search"));
      assertThat(
              browser
                  .driver
                  .findElement(By.cssSelector("select[name=range]"))
                  .getAttribute("value"))
          .as("a quickstart minutes old defaults to the shortest range")
          .isEqualTo("now-15m");
      assertThat(browser.consoleProblems()).isEmpty();
    }
  }

  /**
   * Bars of the histogram with at least one decision (each bar is an svg group titled with its
   * counts).
   */
  private static long barsWithDecisions(org.openqa.selenium.WebDriver d) {
    return d.findElements(By.cssSelector(".histogram svg g[data-start] title")).stream()
        .map(t -> t.getAttribute("textContent"))
        .filter(text -> text != null && !text.endsWith(": 0 allow, 0 deny"))
        .count();
  }

  @Test
  void simulateSustainsTheRateItIsGivenAndReportsWhatItSent() throws Exception {
    try (Quickstart qs =
        Quickstart.start(
            new Quickstart.Options(
                0, freePortPair(), dir.resolve("sim"), false, 1, Duration.ofSeconds(45)))) {
      java.io.StringWriter out = new java.io.StringWriter();
      picocli.CommandLine cli = new picocli.CommandLine(new dev.mcpaudit.app.McpAudit());
      cli.setOut(new java.io.PrintWriter(out));
      int exit =
          cli.execute(
              "simulate",
              "--target",
              "http://127.0.0.1:" + qs.port(),
              "--token",
              qs.tokens().collector(),
              "--rate",
              "300",
              "--duration",
              "10s",
              "--incident-every",
              "3s",
              "--seed",
              "7");
      String report = out.toString();
      assertThat(exit).as(report).isZero();
      java.util.regex.Matcher done =
          java.util.regex.Pattern.compile(
                  "done: (\\d+) s, sent (\\d+) \\(([\\d.]+) events/s\\), accepted (\\d+), rejected 0, failed 0")
              .matcher(report);
      assertThat(done.find()).as(report).isTrue();
      long sent = Long.parseLong(done.group(2));
      // 300/s for 10 s, all included (fan-out, retries, incidents).
      assertThat(sent).isBetween(2_900L, 3_100L);
      assertThat(Long.parseLong(done.group(4))).isEqualTo(sent);
      assertThat(report).contains("progress:");
      // Every event it reported sent is searchable (the auditor token does not see the API's own
      // _system events).
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  total(qs.port(), qs.tokens().auditor(), "/api/v1/decisions?from=now-1h&limit=1")
                      == sent);
    }
  }

  @Test
  void aTakenPortOrAnUnwritableDataDirIsExplained() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(
              () ->
                  Quickstart.start(
                      new Quickstart.Options(
                          taken.getLocalPort(),
                          freePortPair(),
                          dir.resolve("d1"),
                          false,
                          1,
                          Duration.ofSeconds(45))))
          .isInstanceOf(Quickstart.StartException.class)
          .hasMessageContaining(
              "port "
                  + taken.getLocalPort()
                  + " on 127.0.0.1 is taken; choose another with --port");
    }
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(
            () ->
                Quickstart.start(
                    new Quickstart.Options(
                        0, freePortPair(), file, false, 1, Duration.ofSeconds(45))))
        .isInstanceOf(Quickstart.StartException.class)
        .hasMessageContaining("is not writable")
        .hasMessageContaining("--data-dir");
  }

  private long total(int port, String token, String path) throws Exception {
    return get(port, token, path).get("total").asLong();
  }

  private JsonNode get(int port, String token, String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body());
  }

  private int status(int port, String token, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** A free port whose next port is free too (the embedded controller takes it). */
  static int freePortPair() throws IOException {
    for (int i = 0; i < 50; i++) {
      int p;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        p = s.getLocalPort();
      }
      if (p < 65535) {
        try (ServerSocket next = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
          return p;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no two adjacent free ports");
  }
}
