package dev.mcpaudit.opensearch;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to reach an OpenSearch cluster and how to lay the index out on it (docs/opensearch.md). Each
 * key is declared once below ({@link #KEYS}); a role that can use the cluster lists them in its own
 * declarations. Secrets are named by file, never written in the configuration, and this record
 * holds only their paths: printing it shows no secret.
 *
 * @param hosts the cluster's HTTP endpoints ({@code opensearch.hosts})
 * @param auth how the client proves who it is
 * @param tls what the client trusts and, for mutual TLS, shows
 * @param indexPrefix the start of every index, template and policy name ({@code
 *     opensearch.index-prefix})
 * @param shards primary shards of each daily index ({@code opensearch.shards})
 * @param replicas replicas of each shard ({@code opensearch.replicas})
 * @param refreshInterval how often the cluster makes new documents searchable ({@code
 *     opensearch.refresh-interval})
 * @param forceMergeAfter daily indices older than this are merged to one segment ({@code
 *     opensearch.force-merge-after})
 * @param requestTimeout the longest the client waits for one answer ({@code
 *     opensearch.request-timeout})
 */
public record OpenSearchSettings(
    List<URI> hosts,
    Auth auth,
    Tls tls,
    String indexPrefix,
    int shards,
    int replicas,
    Duration refreshInterval,
    Duration forceMergeAfter,
    Duration requestTimeout) {

  /**
   * How the client authenticates; the secret itself stays in its file until the client is built.
   */
  public sealed interface Auth {
    /**
     * No credentials: a cluster without the security plugin, or one that trusts the client cert.
     */
    record None() implements Auth {}

    /** HTTP basic, the password read from a file. */
    record Basic(String username, Path passwordFile) implements Auth {}

    /** {@code Authorization: ApiKey <key>}, the key read from a file. */
    record ApiKey(Path keyFile) implements Auth {}

    default String kind() {
      return switch (this) {
        case None n -> "none";
        case Basic b -> "basic (user " + b.username() + ")";
        case ApiKey k -> "api key";
      };
    }
  }

  /**
   * @param ca PEM certificates to trust instead of the JVM's trust store
   * @param clientCert PEM certificate chain shown for mutual TLS
   * @param clientKey its PKCS#8 PEM private key
   * @param verifyHostname whether the server's certificate must name the host
   */
  public record Tls(
      Optional<Path> ca,
      Optional<Path> clientCert,
      Optional<Path> clientKey,
      boolean verifyHostname) {
    public boolean mutual() {
      return clientCert.isPresent();
    }
  }

  private static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

  static final ConfigKey<String> HOSTS =
      ConfigKey.string(
          "opensearch.hosts",
          "http://127.0.0.1:9200",
          "the cluster's HTTP endpoints, comma-separated (https:// for TLS)");
  static final ConfigKey<String> USERNAME =
      ConfigKey.string(
          "opensearch.username", null, "basic authentication user (with opensearch.password-file)");
  static final ConfigKey<String> PASSWORD_FILE =
      ConfigKey.string(
          "opensearch.password-file", null, "file holding the basic authentication password");
  static final ConfigKey<String> API_KEY_FILE =
      ConfigKey.string(
          "opensearch.api-key-file",
          null,
          "file holding an API key, sent as Authorization: ApiKey");
  static final ConfigKey<String> TLS_CA =
      ConfigKey.string(
          "opensearch.tls.ca", null, "PEM certificates to trust (default: the JVM's trust store)");
  static final ConfigKey<String> TLS_CLIENT_CERT =
      ConfigKey.string("opensearch.tls.client-cert", null, "PEM certificate chain for mutual TLS");
  static final ConfigKey<String> TLS_CLIENT_KEY =
      ConfigKey.string(
          "opensearch.tls.client-key", null, "PKCS#8 PEM private key of the client certificate");
  static final ConfigKey<Boolean> TLS_VERIFY_HOSTNAME =
      ConfigKey.bool(
          "opensearch.tls.verify-hostname",
          true,
          "whether the server's certificate must name the host it was reached at");
  static final ConfigKey<String> INDEX_PREFIX =
      ConfigKey.string(
              "opensearch.index-prefix",
              "mcp-audit",
              "start of every index, template and policy name: <prefix>-decisions-YYYY.MM.DD")
          .check(p -> PREFIX.matcher(p).matches(), "lower-case letters, digits, - and _ (1-40)");
  static final ConfigKey<Integer> SHARDS =
      ConfigKey.integer(
          "opensearch.shards", 1, 1, 1024, "primary shards of each daily decisions index");
  static final ConfigKey<Integer> REPLICAS =
      ConfigKey.integer("opensearch.replicas", 1, 0, 15, "replicas of each shard");
  static final ConfigKey<Duration> REFRESH_INTERVAL =
      ConfigKey.duration(
          "opensearch.refresh-interval",
          Duration.ofSeconds(1),
          "how often the cluster makes new documents searchable");
  static final ConfigKey<Duration> FORCE_MERGE_AFTER =
      ConfigKey.duration(
          "opensearch.force-merge-after",
          Duration.ofDays(2),
          "daily indices this much older than their day are merged to one segment");
  static final ConfigKey<Duration> REQUEST_TIMEOUT =
      ConfigKey.duration(
          "opensearch.request-timeout",
          Duration.ofSeconds(60),
          "the longest the client waits for one answer from the cluster");

  /** Every key of this record, for the roles' declarations. */
  public static final List<ConfigKey<?>> KEYS =
      List.of(
          IndexBackend.KEY,
          HOSTS,
          USERNAME,
          PASSWORD_FILE,
          API_KEY_FILE,
          TLS_CA,
          TLS_CLIENT_CERT,
          TLS_CLIENT_KEY,
          TLS_VERIFY_HOSTNAME,
          INDEX_PREFIX,
          SHARDS,
          REPLICAS,
          REFRESH_INTERVAL,
          FORCE_MERGE_AFTER,
          REQUEST_TIMEOUT);

  /** The key prefixes these settings own, so a misspelt one stops the role. */
  public static final List<String> PREFIXES = List.of("opensearch.", "index.");

  public static OpenSearchSettings from(Settings s) {
    List<URI> hosts = hosts(s.string(HOSTS.name(), HOSTS.defaultText()));
    Auth auth = auth(s);
    Optional<Path> cert = path(s, TLS_CLIENT_CERT);
    Optional<Path> key = path(s, TLS_CLIENT_KEY);
    if (cert.isPresent() != key.isPresent()) {
      throw new ConfigException(
          "opensearch.tls.client-cert and opensearch.tls.client-key go together (mutual TLS)");
    }
    Tls tls = new Tls(path(s, TLS_CA), cert, key, TLS_VERIFY_HOSTNAME.from(s));
    if (!(auth instanceof Auth.None)) {
      hosts.stream()
          .filter(h -> h.getScheme().equals("http") && !loopback(h.getHost()))
          .findFirst()
          .ifPresent(
              h -> {
                throw new ConfigException(
                    "opensearch.hosts: "
                        + h
                        + " is plain http to another machine; credentials go only over https"
                        + " (or to this machine)");
              });
    }
    if (tls.mutual() || tls.ca().isPresent()) {
      hosts.stream()
          .filter(h -> h.getScheme().equals("http"))
          .findFirst()
          .ifPresent(
              h -> {
                throw new ConfigException(
                    "opensearch.hosts: " + h + " is plain http, but opensearch.tls.* is set");
              });
    }
    return new OpenSearchSettings(
        hosts,
        auth,
        tls,
        INDEX_PREFIX.from(s),
        SHARDS.from(s),
        REPLICAS.from(s),
        REFRESH_INTERVAL.from(s),
        FORCE_MERGE_AFTER.from(s),
        REQUEST_TIMEOUT.from(s));
  }

  /** One line for the start-up log: where, how authenticated, what TLS; never a secret. */
  public String summary() {
    return "hosts="
        + hosts
        + " auth="
        + auth.kind()
        + " tls="
        + (hosts.stream().anyMatch(h -> h.getScheme().equals("https"))
            ? (tls.mutual() ? "mutual" : "server")
                + (tls.ca().isPresent() ? " ca=" + tls.ca().get() : " ca=jvm")
                + (tls.verifyHostname() ? "" : " hostname-unchecked")
            : "off")
        + " prefix="
        + indexPrefix;
  }

  private static Auth auth(Settings s) {
    Optional<String> user = Optional.ofNullable(USERNAME.from(s)).filter(u -> !u.isBlank());
    Optional<Path> password = path(s, PASSWORD_FILE);
    Optional<Path> apiKey = path(s, API_KEY_FILE);
    if (apiKey.isPresent() && (user.isPresent() || password.isPresent())) {
      throw new ConfigException(
          "opensearch.api-key-file and opensearch.username/password-file exclude each other:"
              + " choose one way to authenticate");
    }
    if (user.isPresent() != password.isPresent()) {
      throw new ConfigException(
          "opensearch.username and opensearch.password-file go together (basic authentication)");
    }
    if (user.isPresent()) {
      if (user.get().contains(":")) {
        throw new ConfigException("opensearch.username: a basic user name cannot hold ':'");
      }
      return new Auth.Basic(user.get(), password.get());
    }
    return apiKey.<Auth>map(Auth.ApiKey::new).orElse(new Auth.None());
  }

  private static Optional<Path> path(Settings s, ConfigKey<String> key) {
    return Optional.ofNullable(key.from(s)).filter(v -> !v.isBlank()).map(Path::of);
  }

  static List<URI> hosts(String text) {
    List<URI> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String h = part.strip();
      if (h.isEmpty()) {
        continue;
      }
      URI u;
      try {
        u = URI.create(h);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("opensearch.hosts: not a URL: " + h);
      }
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")
          || u.getHost() == null
          || u.getUserInfo() != null
          || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))
          || u.getQuery() != null) {
        throw new ConfigException(
            "opensearch.hosts: expected http(s)://host:port without user, path or query, got "
                + (u.getUserInfo() == null ? h : "a URL with credentials in it"));
      }
      out.add(
          URI.create(scheme + "://" + u.getHost() + ":" + (u.getPort() < 0 ? 9200 : u.getPort())));
    }
    if (out.isEmpty()) {
      throw new ConfigException("opensearch.hosts: at least one http(s)://host:port");
    }
    return List.copyOf(out);
  }

  private static boolean loopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      // Literal addresses only: a name is not resolved here, so it is not taken as this machine.
      return (host.startsWith("[") || Character.isDigit(host.charAt(0)))
          && InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
