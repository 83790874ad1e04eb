package dev.mcpaudit.app.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.kafka.embedded.DevCertificates;
import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.http.TrustedCertificates;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector and the API over HTTPS: a client that trusts the certificate's CA gets answers, a
 * client that does not is refused in the handshake, and plain HTTP to the TLS port gets nothing.
 */
class HttpsIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
  private static final String SOURCE = TokenDigest.newToken();
  private static final String ANALYST = TokenDigest.newToken();

  @TempDir static Path dir;
  static DevCertificates certs;
  static HttpClient trusting;

  @BeforeAll
  static void certificates() {
    certs = DevCertificates.in(dir.resolve("tls"));
    trusting =
        HttpClient.newBuilder()
            .sslContext(TrustedCertificates.trusting(certs.caCertificate()))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  private static Map<String, String> base() {
    String decisions = KafkaBrokerExtension.uniqueTopic("https-decisions");
    KAFKA.createTopics(1, decisions, decisions + ".dlq");
    Map<String, String> s = new HashMap<>();
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.decisions", decisions);
    s.put("topics.dead-letter", decisions + ".dlq");
    s.put("collector.port", "0");
    s.put("collector.token.gw", TokenDigest.of(SOURCE));
    s.put("collector.token.gw.tenants", "*");
    s.put("api.port", "0");
    s.put("api.audit", "false");
    s.put("api.index-dir", dir.resolve("index").toString());
    s.put("api.alerts-dir", dir.resolve("alerts").toString());
    s.put("api.token.ana", TokenDigest.of(ANALYST));
    s.put("api.token.ana.role", "analyst");
    s.put("api.token.ana.tenants", "*");
    return s;
  }

  @Test
  void theCollectorServesHttpsFromAPkcs12KeyStore() throws Exception {
    Map<String, String> s = base();
    s.put("http.tls.key-store", certs.keyStore().toString());
    s.put("http.tls.key-store-password", certs.password());
    try (CollectorServer collector =
        CollectorServer.start(CollectorConfig.from(Settings.of(TestStamps.with(s))))) {
      String body =
          EventCodec.encodeToString(new SyntheticEvents(7, Instant.now().minusSeconds(30)).next());
      HttpResponse<String> r =
          trusting.send(
              HttpRequest.newBuilder(
                      URI.create("https://localhost:" + collector.port() + "/v1/decisions"))
                  .header("Authorization", "Bearer " + SOURCE)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      assertThat(r.headers().firstValue("Strict-Transport-Security")).isPresent();

      assertRefusedWithoutTrust(collector.port(), "/health/live");
      assertPlainHttpGetsNothing(collector.port(), "/v1/decisions", SOURCE);
    }
  }

  @Test
  void theApiServesHttpsFromPemFiles() throws Exception {
    Map<String, String> s = base();
    s.put("http.tls.certificate", certs.certificateChain().toString());
    s.put("http.tls.private-key", certs.privateKey().toString());
    try (ApiServer api = ApiServer.start(ApiConfig.from(Settings.of(TestStamps.with(s))))) {
      HttpResponse<String> r =
          trusting.send(
              HttpRequest.newBuilder(
                      URI.create("https://localhost:" + api.port() + "/api/v1/decisions"))
                  .header("Authorization", "Bearer " + ANALYST)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // No index yet: the API answers, over TLS, that it is not ready (not a TLS failure).
      assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
      HttpResponse<String> live =
          trusting.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api.port() + "/health/live"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);

      assertRefusedWithoutTrust(api.port(), "/health/live");
      assertPlainHttpGetsNothing(api.port(), "/api/v1/decisions", ANALYST);
    }
  }

  @Test
  void plainHttpBeyondLoopbackIsRefusedUnlessAProxyTerminatesTls() {
    Map<String, String> s = base();
    s.put("collector.host", "0.0.0.0");
    assertThatThrownBy(
            () ->
                CollectorServer.start(CollectorConfig.from(Settings.of(TestStamps.with(s))))
                    .close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("collector would serve plain HTTP on 0.0.0.0")
        .hasMessageContaining("http.tls.key-store")
        .hasMessageContaining("http.plain-beyond-loopback=true");
  }

  @Test
  void badTlsSettingsStopTheRoleNamingTheKey() throws Exception {
    Map<String, String> wrongPassword = base();
    wrongPassword.put("http.tls.key-store", certs.keyStore().toString());
    wrongPassword.put("http.tls.key-store-password", "not-" + certs.password());
    assertThatThrownBy(() -> CollectorConfig.from(Settings.of(wrongPassword)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("http.tls.key-store: cannot read")
        .hasMessageNotContaining(certs.password());

    Map<String, String> half = base();
    half.put("http.tls.certificate", certs.certificateChain().toString());
    assertThatThrownBy(() -> CollectorConfig.from(Settings.of(half)))
        .hasMessageStartingWith("http.tls.private-key: is required with http.tls.certificate");

    Path pkcs1 = dir.resolve("rsa.key");
    Files.writeString(
        pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
    Map<String, String> oldFormat = base();
    oldFormat.put("http.tls.certificate", certs.certificateChain().toString());
    oldFormat.put("http.tls.private-key", pkcs1.toString());
    assertThatThrownBy(() -> CollectorConfig.from(Settings.of(oldFormat)))
        .hasMessageStartingWith("http.tls.private-key:")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  /** A client with only the JDK's trusted CAs does not accept a development certificate. */
  private static void assertRefusedWithoutTrust(int port, String path) {
    HttpClient defaults = HttpClient.newHttpClient();
    assertThatThrownBy(
            () ->
                defaults.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  /**
   * A plain HTTP request, token and all, sent to the TLS port: the listener answers no HTTP at all
   * (the bytes are not a TLS handshake), so nothing is served in clear text.
   */
  private static void assertPlainHttpGetsNothing(int port, String path, String token)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                      + token
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = readAll(socket.getInputStream());
      assertThat(answer).doesNotContain("HTTP/1.");
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // a reset or silence is what a TLS port answers to plain HTTP
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
