package dev.mcpaudit.collector.http;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.ConfigDef;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.SharedKeys;
import dev.mcpaudit.runtime.http.HttpSecurity;
import dev.mcpaudit.schema.topic.Topics;
import dev.mcpaudit.schema.validation.SourceScope;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of the HTTP collector role. Each key, its default and its checks are declared once, in
 * the {@code ConfigKey} constants below ({@link #DEF} lists them).
 *
 * @param host address to listen on ({@code collector.host})
 * @param port port ({@code collector.port})
 * @param kafka where Kafka is and how to reach it ({@code kafka.bootstrap-servers}, {@code
 *     kafka.client.*}, {@code collector.kafka.client.*})
 * @param http HTTPS for the listener ({@code http.tls.*}), or plain HTTP where allowed
 * @param topics topic names ({@code topics.decisions}, {@code topics.dead-letter}, {@code
 *     topics.alerts})
 * @param bodyLimitBytes largest request body, compressed and decompressed ({@code
 *     collector.body-limit})
 * @param maxBatchItems most events in one request, counted after decompression; a larger batch is
 *     refused whole with 413 ({@code collector.max-batch-items})
 * @param kafkaTimeout how long a request waits for Kafka's acknowledgement before answering 503
 *     ({@code collector.kafka-timeout})
 * @param maxFutureSkew how far {@code occurred_at} may be ahead of this collector's clock ({@code
 *     validation.max-future-skew})
 * @param sourceTokens SHA-256 digest of each source token → the principal it authenticates and what
 *     it may write: {@code collector.token.<principal> = sha256:<hex>} (make one with {@code
 *     mcp-audit token new}), {@code collector.token.<principal>.tenants = acme,globex} (required;
 *     {@code *} for every tenant, written out) and optionally {@code
 *     collector.token.<principal>.gateways = gw-eu-1,gw-eu-2}
 * @param stamps the key accepted records are stamped with ({@code stamp.keys.*}, {@code
 *     stamp.signing-key}); without one the indexer stores them as provenance {@code kafka}
 */
public record CollectorConfig(
    String host,
    int port,
    KafkaClients kafka,
    HttpSecurity http,
    Topics topics,
    long bodyLimitBytes,
    int maxBatchItems,
    Duration kafkaTimeout,
    Duration maxFutureSkew,
    Map<String, SourceGrant> sourceTokens,
    Stamps stamps) {

  static final String TENANTS = "tenants";
  static final String GATEWAYS = "gateways";

  public CollectorConfig {
    sourceTokens = Map.copyOf(sourceTokens);
    if (bodyLimitBytes < 16 * 1024) {
      throw new ConfigException(
          "collector.body-limit: must be at least 16KiB (one event), got " + bodyLimitBytes);
    }
  }

  static final ConfigKey<String> HOST =
      ConfigKey.string(
          "collector.host",
          "127.0.0.1",
          "address to listen on: loopback unless told otherwise; beyond it, HTTPS (http.tls.*) or a TLS proxy in front");
  static final ConfigKey<Integer> PORT =
      ConfigKey.integer("collector.port", 8081, 0, 65535, "port (0 picks a free one)");
  static final ConfigKey<Long> BODY_LIMIT =
      ConfigKey.bytes(
          "collector.body-limit",
          10L << 20,
          "largest request body, on the wire and after gzip inflation (at least 16KiB)");
  static final ConfigKey<Integer> MAX_BATCH_ITEMS =
      ConfigKey.integer(
          "collector.max-batch-items",
          10_000,
          1,
          100_000,
          "most events in one request, counted after decompression; a larger batch is refused whole (413)");
  static final ConfigKey<Duration> KAFKA_TIMEOUT =
      ConfigKey.duration(
          "collector.kafka-timeout",
          Duration.ofSeconds(15),
          "how long a request waits for Kafka to acknowledge its batch before answering 503");

  /**
   * Every key the collector reads; {@code collector.token.<principal>} (and its .tenants,
   * .gateways) is the token table.
   */
  public static final ConfigDef DEF =
      ConfigDef.of(
          "collector",
          List.of("collector."),
          List.of(HOST, PORT, BODY_LIMIT, MAX_BATCH_ITEMS, KAFKA_TIMEOUT),
          "collector.token.");

  /** Kafka's bootstrap list, for messages and tests. */
  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public static CollectorConfig from(Settings s) {
    DEF.check(s);
    return new CollectorConfig(
        HOST.from(s),
        PORT.from(s),
        SharedKeys.kafkaClients(s, "collector"),
        HttpSecurity.from(s),
        SharedKeys.topics(s),
        BODY_LIMIT.from(s),
        MAX_BATCH_ITEMS.from(s),
        KAFKA_TIMEOUT.from(s),
        SharedKeys.MAX_FUTURE_SKEW.from(s),
        sourceTokens(s.under("collector.token")),
        SharedKeys.stamps(s));
  }

  /**
   * The token table: a line whose value is a digest is a token, {@code .tenants} and {@code
   * .gateways} lines (or {@code _TENANTS}, {@code _GATEWAYS} from the environment) scope it.
   */
  static Map<String, SourceGrant> sourceTokens(Map<String, String> lines) {
    Map<String, String> digests = new HashMap<>();
    Map<String, String> tenants = new HashMap<>();
    Map<String, String> gateways = new HashMap<>();
    lines.forEach(
        (key, value) -> {
          if (TokenDigest.isDigest(value)) {
            digests.put(key, value);
          } else if (suffix(key, TENANTS) != null) {
            tenants.put(suffix(key, TENANTS), value);
          } else if (suffix(key, GATEWAYS) != null) {
            gateways.put(suffix(key, GATEWAYS), value);
          } else {
            throw new ConfigException(
                "collector.token."
                    + key
                    + ": must be a digest sha256:<64 hex digits>, never the token itself (mcp-audit token new prints both);"
                    + " a source's other settings are ."
                    + TENANTS
                    + " and ."
                    + GATEWAYS);
          }
        });
    for (var scoped : List.of(tenants, gateways)) {
      scoped.keySet().stream()
          .filter(p -> find(digests, p) == null)
          .findFirst()
          .ifPresent(
              p -> {
                throw new ConfigException(
                    "collector.token."
                        + p
                        + "."
                        + (scoped == tenants ? TENANTS : GATEWAYS)
                        + ": no token collector.token."
                        + p
                        + " is configured");
              });
    }
    Map<String, SourceGrant> grants = new HashMap<>();
    digests.forEach(
        (principal, digest) -> {
          String tenantList = find(tenants, principal);
          if (tenantList == null || tenantList.isBlank()) {
            throw new ConfigException(
                "collector.token."
                    + principal
                    + "."
                    + TENANTS
                    + ": is required: the tenants this source may write, as a comma list (acme,globex), or * for every tenant");
          }
          scope(principal, TENANTS, tenantList, null);
          SourceScope scope = scope(principal, GATEWAYS, tenantList, find(gateways, principal));
          if (grants.put(digest, new SourceGrant(principal, scope)) != null) {
            throw new ConfigException(
                "collector.token." + principal + ": the same token digest is configured twice");
          }
        });
    return grants;
  }

  private static SourceScope scope(
      String principal, String checked, String tenants, String gateways) {
    try {
      return SourceScope.parse(tenants, gateways);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "collector.token." + principal + "." + checked + ": " + e.getMessage());
    }
  }

  /**
   * The principal of a scope line ({@code gw-1.tenants}, or {@code gw_1_tenants} from the
   * environment), else null.
   */
  private static String suffix(String key, String name) {
    String lower = key.toLowerCase(Locale.ROOT);
    for (char sep : new char[] {'.', '_'}) {
      if (lower.endsWith(sep + name) && key.length() > name.length() + 1) {
        return key.substring(0, key.length() - name.length() - 1);
      }
    }
    return null;
  }

  private static String find(Map<String, String> byPrincipal, String principal) {
    return byPrincipal.entrySet().stream()
        .filter(e -> Settings.sameKey(e.getKey(), principal))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }
}
