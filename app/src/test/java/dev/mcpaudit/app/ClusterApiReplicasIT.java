package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two api processes (the launcher jar, each its own JVM) serving one OpenSearch cluster that a real
 * indexer filled from a real broker: a cursor-paged search walked on one, on the other, and
 * alternating between them page by page gives the same events in the same order, each exactly once,
 * as the corpus says; the api keeps no state a replica would need.
 */
class ClusterApiReplicasIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  static final int EVENTS = 8_000;
  static final String TOKEN = TokenDigest.newToken();
  static final String CURSOR_KEY = "two-replicas-share-this-cursor-key-0123456789";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aCursorFromOneReplicaContinuesOnTheOtherWithTheSameAnswers() throws Exception {
    OpenSearchNode node = OpenSearchNode.shared();
    String topic = KafkaBrokerExtension.uniqueTopic("replicas");
    String prefix = "replicas-" + topic.toLowerCase(Locale.ROOT);
    KAFKA.createTopics(4, topic, topic + ".dlq", topic + ".alerts");
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofHours(6));
    List<AuthzEvent> corpus = new ArrayList<>();
    SyntheticEvents gen = new SyntheticEvents(2202, start);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (int i = 0; i < EVENTS; i++) {
        AuthzEvent e = gen.next();
        corpus.add(e);
        producer.send(new ProducerRecord<>(topic, e.partitionKey(), EventCodec.encode(e)));
      }
    }
    Map<String, String> cluster =
        Map.of(
            "index.backend",
            "opensearch",
            "opensearch.hosts",
            node.url(),
            "opensearch.index-prefix",
            prefix,
            "opensearch.replicas",
            "0");
    Map<String, String> indexer = new HashMap<>(cluster);
    indexer.putAll(
        Map.of(
            "indexer.data-dir",
            dir.resolve("indexer").toString(),
            "kafka.bootstrap-servers",
            KAFKA.bootstrapServers(),
            "topics.decisions",
            topic,
            "topics.dead-letter",
            topic + ".dlq",
            "topics.alerts",
            topic + ".alerts",
            "indexer.group-id",
            "replicas-" + topic,
            "indexer.commit-interval",
            "1s"));
    List<Process> apis = new ArrayList<>();
    try (IndexerService service =
        IndexerService.embedded(
            IndexerConfig.from(Settings.of(TestStamps.with(indexer))),
            new SimpleMeterRegistry(),
            Clock.systemUTC())) {
      int[] ports = {freePort(), freePort()};
      for (int i = 0; i < 2; i++) {
        apis.add(startApi(ports[i], cluster, "api-" + i));
      }
      Map<String, String> all = Map.of("from", Rfc3339.format(start.minusSeconds(1)), "limit", "1");
      for (int port : ports) {
        await()
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> total(port, all) == EVENTS);
      }

      // The denies of two tenants over the corpus's hours: about a thousand, a few pages each way.
      Map<String, String> q =
          Map.of(
              "q",
              "decision:deny AND (tenant:tenant-0 OR tenant:tenant-2)",
              "from",
              Rfc3339.format(start.minusSeconds(1)),
              "to",
              Rfc3339.format(Instant.now()),
              "limit",
              "137");
      List<String> expected =
          corpus.stream()
              .filter(e -> e.decision() == Decision.DENY)
              .filter(e -> e.tenant().equals("tenant-0") || e.tenant().equals("tenant-2"))
              .sorted(
                  Comparator.comparing(AuthzEvent::occurredAt)
                      .reversed()
                      .thenComparing(AuthzEvent::eventId))
              .map(AuthzEvent::eventId)
              .toList();
      assertThat(expected).hasSizeGreaterThan(500);
      List<String> onFirst = walk(q, new int[] {ports[0]});
      List<String> onSecond = walk(q, new int[] {ports[1]});
      List<String> alternating = walk(q, ports);
      assertThat(onFirst).isEqualTo(expected);
      assertThat(onSecond).isEqualTo(expected);
      assertThat(alternating).isEqualTo(expected);
    } finally {
      for (Process p : apis) {
        p.destroy();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Every page of the search, page i asked of {@code ports[i % ports.length]}. */
  private List<String> walk(Map<String, String> q, int[] ports) throws Exception {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    int page = 0;
    long total = -1;
    do {
      Map<String, String> p = new HashMap<>(q);
      if (cursor != null) {
        p.put("cursor", cursor);
      }
      JsonNode answer = json(ports[page % ports.length], "/api/v1/decisions", p);
      if (total < 0) {
        total = answer.get("total").asLong();
      }
      assertThat(answer.get("total").asLong()).as("total on page " + page).isEqualTo(total);
      answer.get("events").forEach(e -> ids.add(e.get("event_id").asText()));
      cursor = answer.get("next_cursor").isNull() ? null : answer.get("next_cursor").asText();
      page++;
    } while (cursor != null && page < 1_000);
    assertThat(ids).hasSize((int) total);
    return ids;
  }

  private long total(int port, Map<String, String> params) {
    try {
      return json(port, "/api/v1/decisions", params).get("total").asLong();
    } catch (Exception | AssertionError e) {
      return -1; // not up or not ready yet
    }
  }

  private JsonNode json(int port, String path, Map<String, String> params) throws Exception {
    StringBuilder qs = new StringBuilder();
    params.forEach(
        (k, v) ->
            qs.append(qs.isEmpty() ? "?" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + qs))
                .header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode())
        .as(r.body().substring(0, Math.min(300, r.body().length())))
        .isEqualTo(200);
    return EventCodec.mapper().readTree(r.body());
  }

  private Process startApi(int port, Map<String, String> cluster, String name) throws Exception {
    List<String> cmd =
        new ArrayList<>(
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
                "api.audit=false",
                "--set",
                "api.cursor-key=" + CURSOR_KEY,
                "--set",
                "api.token.analyst=" + TokenDigest.of(TOKEN),
                "--set",
                "api.token.analyst.role=analyst",
                "--set",
                "api.token.analyst.tenants=*"));
    cluster.forEach(
        (k, v) -> {
          cmd.add("--set");
          cmd.add(k + "=" + v);
        });
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
