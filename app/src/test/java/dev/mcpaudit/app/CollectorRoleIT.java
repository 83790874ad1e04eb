package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TopicReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `mcp-audit collector` as an operator runs it: a separate JVM from the jar, stopped with SIGTERM.
 */
class CollectorRoleIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

  @Test
  void servesPostsAndStopsCleanlyOnSigterm() throws Exception {
    String topic = KafkaBrokerExtension.uniqueTopic("decisions");
    KAFKA.createTopics(2, topic, topic + ".dlq");
    String token = TokenDigest.newToken();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("collector", ".log");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-jar",
                    "target/mcp-audit.jar",
                    "collector",
                    "--set",
                    "collector.port=" + port,
                    "--set",
                    "kafka.bootstrap-servers=" + KAFKA.bootstrapServers(),
                    "--set",
                    "topics.decisions=" + topic,
                    "--set",
                    "topics.dead-letter=" + topic + ".dlq",
                    "--set",
                    "collector.token.ci-gateway=" + TokenDigest.of(token),
                    "--set",
                    "collector.token.ci-gateway.tenants=*"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline && p.isAlive()) {
        try {
          status =
              http.send(
                      HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                  .statusCode();
        } catch (java.io.IOException notYetListening) {
          p.waitFor(200, TimeUnit.MILLISECONDS);
        }
      }
      assertThat(status).as(Files.readString(log)).isEqualTo(200);

      String event =
          EventCodec.encodeToString(
              new SyntheticEvents(1, Instant.now().minus(Duration.ofMinutes(1))).next());
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/decisions"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/x-ndjson")
                  .POST(HttpRequest.BodyPublishers.ofString(event))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(202);
      assertThat(TopicReader.readAll(KAFKA.bootstrapServers(), topic, 1, Duration.ofSeconds(30)))
          .hasSize(1);
    } finally {
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    String output = Files.readString(log);
    assertThat(output).contains("collector listening", "collector stopping").doesNotContain(token);
    assertThat(p.exitValue()).isIn(0, 143);
  }
}
