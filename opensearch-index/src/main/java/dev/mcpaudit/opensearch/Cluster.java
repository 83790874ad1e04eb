package dev.mcpaudit.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.client.transport.httpclient5.ResponseException;

/**
 * One connection pool to the cluster, with its authentication and TLS set once: the typed client
 * for bulk writes, and plain JSON requests for the rest. Built from {@link OpenSearchSettings};
 * secrets are read from their files here and kept only in the client's headers and key managers.
 */
public final class Cluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OpenSearchSettings settings;
  private final ApacheHttpClient5Transport transport;
  private final OpenSearchClient client;
  private final OpenSearchGenericClient generic;

  private Cluster(OpenSearchSettings settings, ApacheHttpClient5Transport transport) {
    this.settings = settings;
    this.transport = transport;
    this.client = new OpenSearchClient(transport);
    this.generic = client.generic();
  }

  /** An answer: its HTTP status and body. */
  public record Reply(int status, byte[] body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    public JsonNode json() {
      try {
        return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("the cluster answered something that is not JSON", e);
      }
    }

    /** The error's type and reason, for messages. */
    public String error() {
      JsonNode e = json().path("error");
      if (e.isObject()) {
        return status + " " + e.path("type").asText() + ": " + e.path("reason").asText();
      }
      return status + " " + new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
    }
  }

  /**
   * Builds the client; nothing is sent yet ({@link #check()} does).
   *
   * @throws ClusterException when a secret or TLS file cannot be read
   */
  public static Cluster connect(OpenSearchSettings s) {
    HttpHost[] hosts =
        s.hosts().stream()
            .map(u -> new HttpHost(u.getScheme(), u.getHost(), u.getPort()))
            .toArray(HttpHost[]::new);
    SSLContext ssl = sslContext(s.tls());
    Header[] headers = headers(s.auth());
    Timeout timeout = Timeout.ofMilliseconds(s.requestTimeout().toMillis());
    ApacheHttpClient5Transport transport =
        ApacheHttpClient5TransportBuilder.builder(hosts)
            .setMapper(new JacksonJsonpMapper())
            .setDefaultHeaders(headers)
            .setRequestConfigCallback(r -> r.setResponseTimeout(timeout))
            .setConnectionConfigCallback(
                c -> c.setConnectTimeout(Timeout.ofSeconds(10)).setSocketTimeout(timeout))
            .setHttpClientConfigCallback(
                b -> {
                  PoolingAsyncClientConnectionManagerBuilder pool =
                      PoolingAsyncClientConnectionManagerBuilder.create()
                          .setMaxConnTotal(32)
                          .setMaxConnPerRoute(16);
                  if (ssl != null) {
                    ClientTlsStrategyBuilder tls =
                        ClientTlsStrategyBuilder.create().setSslContext(ssl);
                    if (!s.tls().verifyHostname()) {
                      tls.setHostnameVerifier(NoopHostnameVerifier.INSTANCE);
                    }
                    pool.setTlsStrategy(tls.buildAsync());
                  }
                  return b.setConnectionManager(pool.build());
                })
            .build();
    return new Cluster(s, transport);
  }

  public OpenSearchSettings settings() {
    return settings;
  }

  /** The typed client (bulk writes). */
  public OpenSearchClient client() {
    return client;
  }

  /**
   * Sends one request and returns the answer whatever its status.
   *
   * @throws ClusterException when no node answers
   */
  public Reply send(String method, String path, byte[] body) {
    Requests.JsonBodyBuilder r = Requests.builder().method(method).endpoint(path);
    if (body != null) {
      r.body(
          Body.from(
              body,
              path.endsWith("_bulk") || path.endsWith("_msearch")
                  ? "application/x-ndjson"
                  : "application/json"));
    }
    try (Response response = generic.execute(r.build())) {
      byte[] bytes = response.getBody().map(Body::bodyAsBytes).orElse(new byte[0]);
      return new Reply(response.getStatus(), bytes);
    } catch (IOException e) {
      ResponseException answer = answer(e);
      if (answer == null) {
        throw new ClusterException(
            "cannot reach OpenSearch at " + settings.hosts() + ": " + e.getMessage(), e);
      }
      // An answer all the same (409, 429, 5xx): the caller decides what it means. The transport
      // keeps the body only in the message, after the request line.
      String m = answer.getMessage() == null ? "" : answer.getMessage();
      int nl = m.indexOf('\n');
      return new Reply(
          answer.status(),
          nl < 0 ? new byte[0] : m.substring(nl + 1).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The transport's exception for an HTTP answer it calls an error, however it is wrapped. */
  private static ResponseException answer(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ResponseException r) {
        return r;
      }
    }
    return null;
  }

  public Reply send(String method, String path, JsonNode body) {
    try {
      return send(method, path, JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends and insists on a 2xx answer. */
  public JsonNode call(String method, String path, JsonNode body) {
    Reply r = body == null ? send(method, path, (byte[]) null) : send(method, path, body);
    if (!r.ok()) {
      throw new ClusterException(method + " " + path + " failed: " + r.error());
    }
    return r.json();
  }

  /**
   * Asks the cluster who it is and whether it lets this client in: a role calls this at start, so
   * wrong credentials or trust stop it with a message that says which.
   *
   * @return the cluster's name and version
   * @throws ClusterException with what went wrong
   */
  public String check() {
    Reply r;
    try {
      r = send("GET", "/", (byte[]) null);
    } catch (ClusterException e) {
      Throwable root = e;
      boolean tls = false;
      for (Throwable t = e; t != null; t = t.getCause()) {
        tls |=
            t instanceof javax.net.ssl.SSLException
                || t instanceof java.security.GeneralSecurityException;
        root = t;
      }
      String why =
          tls
              ? "TLS failed (check opensearch.tls.ca, opensearch.tls.client-cert and the host name): "
                  + root.getMessage()
              : root.toString();
      throw new ClusterException("cannot reach OpenSearch at " + settings.hosts() + ": " + why, e);
    }
    if (r.status() == 401) {
      throw new ClusterException(
          "OpenSearch at "
              + settings.hosts()
              + " refused the credentials (401, auth "
              + settings.auth().kind()
              + "): check opensearch.username/opensearch.password-file or opensearch.api-key-file");
    }
    if (r.status() == 403) {
      throw new ClusterException(
          "OpenSearch at "
              + settings.hosts()
              + " accepted the credentials but forbids this user the cluster (403): "
              + r.error());
    }
    if (!r.ok()) {
      throw new ClusterException("OpenSearch at " + settings.hosts() + " answered " + r.error());
    }
    JsonNode info = r.json();
    return info.path("cluster_name").asText("?")
        + " "
        + info.path("version").path("distribution").asText("opensearch")
        + " "
        + info.path("version").path("number").asText("?");
  }

  private static Header[] headers(OpenSearchSettings.Auth auth) {
    try {
      return switch (auth) {
        case OpenSearchSettings.Auth.None n -> new Header[0];
        case OpenSearchSettings.Auth.Basic b -> {
          String password = secret(b.passwordFile());
          String token =
              Base64.getEncoder()
                  .encodeToString((b.username() + ":" + password).getBytes(StandardCharsets.UTF_8));
          yield new Header[] {new BasicHeader("Authorization", "Basic " + token)};
        }
        case OpenSearchSettings.Auth.ApiKey k ->
            new Header[] {new BasicHeader("Authorization", "ApiKey " + secret(k.keyFile()))};
      };
    } catch (IOException e) {
      throw new ClusterException("cannot read an OpenSearch secret file: " + e.getMessage(), e);
    }
  }

  /** A secret file's content without its trailing line break; never logged. */
  private static String secret(java.nio.file.Path file) throws IOException {
    String s = Files.readString(file).strip();
    if (s.isEmpty() || s.contains("\n")) {
      throw new ClusterException(file + " must hold one line (the secret)");
    }
    return s;
  }

  private static SSLContext sslContext(OpenSearchSettings.Tls tls) {
    if (tls.ca().isEmpty() && !tls.mutual()) {
      return null; // the JVM's defaults
    }
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(tls.ca().isPresent() ? Pem.trustStore(tls.ca().get()) : (KeyStore) null);
      KeyManagerFactory kmf = null;
      if (tls.mutual()) {
        char[] password = new char[0];
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(Pem.keyStore(tls.clientCert().get(), tls.clientKey().get(), password), password);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new ClusterException("cannot set up TLS to OpenSearch: " + e.getMessage(), e);
    }
  }

  /** Index names with this deployment's prefix. */
  public IndexNames names() {
    return new IndexNames(settings.indexPrefix());
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException e) {
      // closing a pool: nothing left to do
    }
  }
}
