package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.PrometheusText;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every role's {@code /metrics} read the way Prometheus reads it: it parses as the text format and
 * every {@code mcp_audit_*} family has HELP and TYPE. The scrapes are kept under {@code
 * target/metrics/} and, where {@code promtool} is installed, checked with {@code promtool check
 * metrics} too.
 */
class RoleMetricsIT {
  private static final Logger log = LoggerFactory.getLogger(RoleMetricsIT.class);
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  @TempDir Path dir;
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyMcpAuditFamilyOfEveryRoleHasHelpAndType() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("decisions");
    String dlq = decisions + ".dlq";
    String alerts = KafkaBrokerExtension.uniqueTopic("alerts");
    KAFKA.createTopics(2, decisions, dlq, alerts);
    String source = TokenDigest.newToken();
    String analyst = TokenDigest.newToken();
    Map<String, String> common =
        Map.of(
            "kafka.bootstrap-servers",
            KAFKA.bootstrapServers(),
            "topics.decisions",
            decisions,
            "topics.dead-letter",
            dlq,
            "topics.alerts",
            alerts);
    Map<String, String> s = new HashMap<>(common);
    s.putAll(
        Map.of(
            "collector.port",
            "0",
            "collector.token.gw",
            TokenDigest.of(source),
            "indexer.port",
            Integer.toString(freePort()),
            "indexer.data-dir",
            dir.toString(),
            "indexer.commit-interval",
            "300ms",
            "indexer.group-id",
            KafkaBrokerExtension.uniqueTopic("metrics-indexer"),
            "detector.port",
            Integer.toString(freePort()),
            "detector.state-dir",
            dir.resolve("detector").toString(),
            "detector.application-id",
            KafkaBrokerExtension.uniqueTopic("metrics-detector"),
            "detector.webhook.urls",
            "http://127.0.0.1:" + freePort() + "/hook"));
    s.put("collector.token.gw.tenants", "*");
    s.putAll(
        Map.of(
            "api.port",
            "0",
            "api.index-dir",
            dir.resolve("index").toString(),
            "api.audit",
            "false",
            "api.reopen-interval",
            "100ms",
            "api.token.ops",
            TokenDigest.of(analyst),
            "api.token.ops.role",
            "analyst",
            "api.token.ops.tenants",
            "*"));
    Settings settings = Settings.of(TestStamps.with(s));
    IndexerConfig indexerConfig = IndexerConfig.from(settings);
    DetectorConfig detectorConfig = DetectorConfig.from(settings);
    try (CollectorServer collector = CollectorServer.start(CollectorConfig.from(settings));
        IndexerService indexer = IndexerService.start(indexerConfig);
        DetectorService detector = DetectorService.start(detectorConfig);
        ApiServer api = ApiServer.start(ApiConfig.from(settings))) {
      SyntheticEvents gen = new SyntheticEvents(6, Instant.now().minus(Duration.ofMinutes(10)));
      String body =
          Stream.generate(() -> EventCodec.encodeToString(gen.next()))
                  .limit(50)
                  .collect(Collectors.joining("\n"))
              + "\n{\"schema\":\"mcp.authz/v1\"}\n";
      HttpResponse<String> posted =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + collector.port() + "/v1/decisions"))
                  .header("Authorization", "Bearer " + source)
                  .header("Content-Type", "application/x-ndjson")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(60)).until(() -> indexer.metrics().indexedCount() == 50);

      Map<String, Integer> ports = new LinkedHashMap<>();
      ports.put("collector", collector.port());
      ports.put("indexer", indexer.opsPort());
      ports.put("detector", detectorConfig.port());
      ports.put("api", api.port());
      Map<String, List<String>> expected =
          Map.of(
              "collector",
                  List.of(
                      "mcp_audit_collector_requests_total",
                      "mcp_audit_collector_events_accepted_total"),
              "indexer",
                  List.of(
                      "mcp_audit_indexer_events_indexed_total", "mcp_audit_indexer_consumer_lag"),
              "detector",
                  List.of(
                      "mcp_audit_detector_alerts_raised_total",
                      "mcp_audit_webhook_deliveries_total"),
              "api", List.of("mcp_audit_api_index_open"));
      Path out = Path.of("target", "metrics");
      Files.createDirectories(out);
      for (Map.Entry<String, Integer> role : ports.entrySet()) {
        String text =
            http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + role.getValue() + "/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        Path file = out.resolve(role.getKey() + ".txt");
        Files.writeString(file, text);
        Map<String, PrometheusText.Family> families = PrometheusText.parse(text);
        assertThat(families)
            .as(role.getKey())
            .containsKeys(expected.get(role.getKey()).toArray(String[]::new));
        assertThat(PrometheusText.withoutHelpOrType(families, "mcp_audit_"))
            .as(role.getKey())
            .isEmpty();
        promtool(role.getKey(), file);
      }
    }
  }

  /**
   * {@code promtool check metrics} on a scrape, when installed: nothing it says may be about our
   * metrics.
   */
  private static void promtool(String role, Path scrape) throws Exception {
    String path = System.getenv().getOrDefault("PATH", "");
    boolean installed =
        Stream.of(path.split(File.pathSeparator))
            .anyMatch(d -> Files.isExecutable(Path.of(d, "promtool")));
    if (!installed) {
      log.info("promtool not installed; {} scrape kept at {}", role, scrape);
      return;
    }
    Process p =
        new ProcessBuilder("promtool", "check", "metrics")
            .redirectInput(scrape.toFile())
            .redirectErrorStream(true)
            .start();
    String said =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    log.info(
        "promtool check metrics role={} exit={} output={}",
        role,
        p.exitValue(),
        said.isBlank() ? "(none)" : said.strip());
    assertThat(said.lines().filter(l -> l.contains("mcp_audit_")).toList())
        .as(role + ": " + said)
        .isEmpty();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
