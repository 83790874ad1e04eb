package dev.mcpaudit.app.quickstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.runtime.http.TrustedCertificates;
import dev.mcpaudit.schema.event.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quickstart --tls --kafka-sasl}: HTTPS from a development CA on the one port, and the
 * embedded Kafka as a managed one (SASL_SSL, SCRAM-SHA-512, a user per role). The demo traffic goes
 * through it all, and a restart finds the same users.
 */
class QuickstartSecureIT {
  @TempDir Path dir;

  @Test
  void demoTrafficFlowsOverHttpsAndSaslSslAndARestartKeepsTheUsers() throws Exception {
    Path data = dir.resolve("data");
    int kafkaPort = QuickstartIT.freePortPair();
    Quickstart.Options options =
        new Quickstart.Options(0, kafkaPort, data, true, 40, Duration.ofMinutes(10), true, true);
    for (int run = 1; run <= 2; run++) {
      try (Quickstart qs = Quickstart.start(options)) {
        assertThat(qs.baseUri()).startsWith("https://localhost:");
        HttpClient trusting =
            HttpClient.newBuilder()
                .sslContext(TrustedCertificates.trusting(qs.caCertificate()))
                .build();
        String analyst = qs.tokens().analyst();
        long before = run == 1 ? 0 : total(trusting, qs, analyst);
        await().atMost(Duration.ofSeconds(90)).until(() -> total(trusting, qs, analyst) > before);
        assertThat(qs.simulator().counts().failed()).as("demo batches refused").isZero();
        assertThat(qs.simulator().counts().rejected()).isZero();
      }
    }
    assertThat(Files.getPosixFilePermissions(data.resolve(QuickstartKafkaUsers.FILE)))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.readString(data.resolve(QuickstartKafkaUsers.FILE)))
        .contains("mcp-audit-indexer=", "mcp-audit-detector=");
  }

  private static long total(HttpClient http, Quickstart qs, String token) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(qs.baseUri() + "/api/v1/decisions?from=now-1h&limit=1"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return EventCodec.mapper().readTree(r.body()).get("total").asLong();
  }
}
