package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.alerts.AlertIndex;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A compliance export of 1,000,000 events from the api role as users run it (the shaded jar in its
 * own JVM) with the heap capped at 256 MiB: it has to stream, page by page, whatever the size.
 */
class ExportMillionIT {
  static final int EVENTS = 1_000_000;
  static final String TOKEN = TokenDigest.newToken();
  static final Instant START =
      Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofDays(2));
  static Path dir;
  static Process api;
  static int port;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void indexAndStart() throws Exception {
    dir = Files.createTempDirectory("export-1m");
    buildIndex(dir.resolve("index"));
    // As the indexer does: the alerts index beside the events, committed empty (the api is not
    // ready without it).
    AlertIndex.open(dir.resolve("alerts")).close();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "--add-modules",
            "jdk.incubator.vector",
            "-jar",
            LauncherJarIT.JAR.toString(),
            "api",
            "--set",
            "api.port=" + port,
            "--set",
            "api.index-dir=" + dir.resolve("index"),
            "--set",
            "api.audit=false",
            "--set",
            "api.token.auditor=" + TokenDigest.of(TOKEN),
            "--set",
            "api.token.auditor.role=auditor",
            "--set",
            "api.token.auditor.tenants=*");
    api =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("api.log").toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!ready()) {
      assertThat(api.isAlive()).as("api process running; log: " + dir.resolve("api.log")).isTrue();
      assertThat(System.nanoTime()).as("api ready within 60 s").isLessThan(deadline);
      api.waitFor(200, TimeUnit.MILLISECONDS); // returns early only if it died
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (api != null) {
      api.destroy();
      api.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static boolean ready() {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready"))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (Exception e) {
      return false;
    }
  }

  /** The same documents the indexer writes, appended directly (fast) on two threads. */
  private static void buildIndex(Path path) throws Exception {
    try (EventIndex index = EventIndex.open(path, 128);
        ExecutorService pool = Executors.newFixedThreadPool(2)) {
      SyntheticEvents gen = new SyntheticEvents(1_000_000, START);
      int chunk = 50_000;
      for (int from = 0; from < EVENTS; from += chunk) {
        List<byte[]> batch = new ArrayList<>(chunk);
        for (int i = 0; i < chunk; i++) {
          batch.add(EventCodec.encode(gen.next()));
        }
        int base = from;
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          List<byte[]> mine = batch.subList(t * chunk / 2, (t + 1) * chunk / 2);
          int offset = base + t * chunk / 2;
          parts.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < mine.size(); i++) {
                      byte[] raw = mine.get(i);
                      index.append(
                          IndexSchema.document(
                              EventCodec.mapper().readTree(raw),
                              raw,
                              new IndexSchema.Origin(0, offset + i, System.currentTimeMillis())));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : parts) {
          f.get();
        }
      }
      index.commit(Map.of());
    }
  }

  private InputStream export(String format) throws Exception {
    HttpResponse<InputStream> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/api/v1/export?format="
                            + format
                            + "&from=now-7d"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  @Test
  void csvOfAMillionEventsStreamsWithTheDocumentedColumns() throws Exception {
    long records = 0;
    List<String> header;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(export("csv"), StandardCharsets.UTF_8), 1 << 16)) {
      CsvRecords csv = new CsvRecords(in);
      header = csv.next();
      List<String> row;
      while ((row = csv.next()) != null) {
        assertThat(row).hasSameSizeAs(header);
        records++;
      }
    }
    assertThat(header)
        .containsExactly(
            "event_id",
            "kind",
            "occurred_at",
            "received_at",
            "tenant",
            "decision",
            "reason_code",
            "reason",
            "handle_id",
            "handle_expires_at",
            "actor_id",
            "actor_type",
            "on_behalf_of",
            "tool_server",
            "tool_method",
            "tool_name",
            "tool_resource",
            "request_id",
            "request_nonce",
            "trace_id",
            "source_gateway",
            "source_worker",
            "source_authenticated",
            "policy_id",
            "policy_version",
            "latency_us",
            "provenance",
            "provenance_by");
    assertThat(records).isEqualTo(EVENTS);
    assertThat(api.isAlive()).isTrue();
  }

  @Test
  void ocsfOfAMillionEventsCarriesTheApiActivityAttributesOnEveryLine() throws Exception {
    long lines = 0;
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(export("ocsf"), StandardCharsets.UTF_8), 1 << 16)) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode o = EventCodec.mapper().readTree(line);
        assertThat(o.path("class_uid").asInt()).isEqualTo(6003);
        assertThat(o.path("category_uid").asInt()).isEqualTo(6);
        assertThat(o.path("type_uid").asInt()).isEqualTo(600300 + o.path("activity_id").asInt());
        assertThat(o.path("time").asLong()).isPositive();
        assertThat(o.path("severity_id").asInt()).isIn(1, 3);
        assertThat(o.path("metadata").path("version").asText()).isNotEmpty();
        assertThat(o.path("metadata").path("product").path("name").asText()).isEqualTo("mcp-audit");
        assertThat(o.path("api").path("operation").asText()).isNotEmpty();
        assertThat(o.path("actor").path("authorizations").get(0).path("decision").asText())
            .isIn("allow", "deny");
        lines++;
      }
    }
    assertThat(lines).isEqualTo(EVENTS);
    assertThat(api.isAlive()).isTrue();
  }

  /**
   * RFC 4180 records, as a spreadsheet reads them: quoted fields may hold commas, quotes, newlines.
   */
  static final class CsvRecords {
    private final BufferedReader in;

    CsvRecords(BufferedReader in) {
      this.in = in;
    }

    List<String> next() throws java.io.IOException {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      List<String> fields = new ArrayList<>();
      StringBuilder f = new StringBuilder();
      boolean quoted = false;
      while (true) {
        if (quoted) {
          if (c == '"') {
            in.mark(1);
            int n = in.read();
            if (n == '"') {
              f.append('"');
            } else {
              quoted = false;
              in.reset();
            }
          } else if (c < 0) {
            throw new java.io.IOException("unterminated quoted field");
          } else {
            f.append((char) c);
          }
        } else if (c == '"' && f.isEmpty()) {
          quoted = true;
        } else if (c == ',') {
          fields.add(f.toString());
          f.setLength(0);
        } else if (c == '\r') {
          // CRLF ends the record: the '\n' follows
        } else if (c == '\n' || c < 0) {
          fields.add(f.toString());
          return fields;
        } else {
          f.append((char) c);
        }
        c = in.read();
      }
    }
  }
}
