package dev.mcpaudit.kafka.client;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every mcp-audit Kafka client is configured: producers, consumers, Admin clients and the
 * detector's Streams application all start from here. One bootstrap list and one passthrough of
 * Kafka client properties (security above all: {@code security.protocol}, {@code sasl.*}, {@code
 * ssl.*}) reach every client; what correctness depends on is set here and a passthrough cannot
 * weaken it ({@link ClientGuards}). Secrets in the passthrough are shown only as {@code [hidden]}
 * ({@link #redacted()}, {@link #scrub(String)}).
 *
 * <p>Properties are handed to each kind of client only if that kind knows them, so a producer-only
 * setting does not make a consumer log an unknown-config warning.
 */
public final class KafkaClients {
  /** What {@link #redacted()} shows instead of a secret. */
  public static final String HIDDEN = "[hidden]";

  private static final Logger log = LoggerFactory.getLogger(KafkaClients.class);

  private final String bootstrapServers;
  private final Map<String, String> passthrough;
  private final Set<String> secrets;

  private KafkaClients(String bootstrapServers, Map<String, String> passthrough) {
    this.bootstrapServers = bootstrapServers;
    this.passthrough = Map.copyOf(passthrough);
    this.secrets = Set.copyOf(passthrough.keySet().stream().filter(KafkaNames::secret).toList());
  }

  /** A plaintext setup without passthrough (the embedded broker, tests). */
  public static KafkaClients plain(String bootstrapServers) {
    return of(bootstrapServers, List.of(), Set.of());
  }

  /**
   * Checks every entry (known Kafka client property, not one mcp-audit owns, not weaker than
   * correctness needs) and returns the setup; later entries replace earlier ones with the same key.
   *
   * @param extraKnown property names a role knows beyond producer, consumer and Admin ones (the
   *     detector's Streams settings)
   * @throws KafkaClientConfigException naming the entry as written
   */
  public static KafkaClients of(
      String bootstrapServers, Collection<Passthrough> entries, Set<String> extraKnown) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new KafkaClientConfigException(
          "kafka.bootstrap-servers: is required (host:port, comma separated)");
    }
    Map<String, String> merged = new LinkedHashMap<>();
    for (Passthrough e : entries) {
      String name = KafkaNames.resolve(e.key(), extraKnown);
      if (name == null) {
        throw new KafkaClientConfigException(
            e.writtenAs()
                + ": not a Kafka client property"
                + KafkaNames.nearest(e.key(), extraKnown)
                    .map(n -> " (did you mean " + n + "?)")
                    .orElse("")
                + "; the passthrough takes producer, consumer and Admin client properties");
      }
      String refusal = ClientGuards.refusal(name, e.value());
      if (refusal != null) {
        throw new KafkaClientConfigException(e.writtenAs() + ": " + refusal);
      }
      merged.put(name, e.value());
    }
    return new KafkaClients(bootstrapServers.strip(), merged);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The passthrough as configured, each secret as {@link #HIDDEN}: safe to log or show. */
  public Map<String, String> redacted() {
    Map<String, String> out = new TreeMap<>();
    passthrough.forEach((k, v) -> out.put(k, secrets.contains(k) ? HIDDEN : v));
    return out;
  }

  /** For start-up lines: where Kafka is and how clients authenticate, never a secret. */
  public String summary() {
    String protocol =
        passthrough.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    String mechanism = passthrough.get("sasl.mechanism");
    boolean sasl = protocol.toUpperCase(Locale.ROOT).startsWith("SASL");
    return bootstrapServers
        + " ("
        + protocol
        + (sasl ? ", " + (mechanism == null ? "GSSAPI" : mechanism) : "")
        + ")";
  }

  /**
   * {@code text} with every configured secret replaced by {@link #HIDDEN}: for messages built from
   * an exception a Kafka client threw, which could quote a property.
   */
  public String scrub(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String key : secrets) {
      for (String secret : KafkaNames.secretParts(passthrough.get(key))) {
        out = out.replace(secret, HIDDEN);
      }
    }
    return out;
  }

  /**
   * A producer's properties: the passthrough, then the caller's tuning (linger, batch size,
   * timeouts), then {@code acks=all} and idempotence, which nothing overrides.
   */
  public Map<String, Object> producer(String clientId, Map<String, ?> tuning) {
    Map<String, Object> p = base(ProducerConfig.configNames(), clientId);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    putTuning(p, tuning);
    p.putAll(filtered(ProducerConfig.configNames()));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    return p;
  }

  /**
   * A consumer's properties: the passthrough, then the caller's tuning (group, offsets reset, poll
   * sizes), then {@code read_committed} and manual commits, which nothing overrides.
   */
  public Map<String, Object> consumer(String clientId, Map<String, ?> tuning) {
    Map<String, Object> p = base(ConsumerConfig.configNames(), clientId);
    putTuning(p, tuning);
    p.putAll(filtered(ConsumerConfig.configNames()));
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return p;
  }

  public Map<String, Object> admin(String clientId) {
    return base(AdminClientConfig.configNames(), clientId);
  }

  /**
   * A Streams application's properties: the caller's tuning, then the whole passthrough (Streams
   * hands each of its clients what that client knows), then exactly-once, which nothing overrides.
   */
  public Map<String, Object> streams(String applicationId, Map<String, ?> tuning) {
    Map<String, Object> p = new HashMap<>();
    putTuning(p, tuning);
    p.putAll(passthrough);
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put("application.id", applicationId);
    p.put("processing.guarantee", "exactly_once_v2");
    return p;
  }

  /**
   * Asks the cluster who it is, so a role whose credentials or trust store Kafka refuses stops at
   * start with that message rather than retrying forever. A cluster that does not answer in time is
   * not an error here (it is logged): roles wait for Kafka and say so on their readiness endpoint.
   * Over PLAINTEXT nothing can be refused, so nothing is asked.
   *
   * @throws KafkaAccessRefused when Kafka refused to authenticate this client, or the client cannot
   *     be built from its settings
   */
  public void requireAccess(String clientId, Duration timeout) {
    if (!authenticated()) {
      return;
    }
    try (Admin admin = Admin.create(admin(clientId + "-access-check"))) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
          .clusterId()
          .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
        throw new KafkaAccessRefused(
            "Kafka at "
                + summary()
                + " refused "
                + clientId
                + ": "
                + scrub(cause.getMessage())
                + " (check kafka.client.* and the role's own <role>.kafka.client.*)");
      }
      log.warn(
          "kafka did not answer the access check client={} kafka={} error={}",
          clientId,
          summary(),
          scrub(String.valueOf(cause)));
    } catch (TimeoutException e) {
      log.warn(
          "kafka did not answer the access check within {} client={} kafka={}",
          timeout,
          clientId,
          summary());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (KafkaException e) {
      // A client that cannot even be built (a trust store that does not load, a login module
      // that is not on the class path) is a configuration error, not an outage.
      throw new KafkaAccessRefused(
          "cannot build a Kafka client for "
              + summary()
              + ": "
              + scrub(rootMessage(e))
              + " (check kafka.client.*)");
    }
  }

  /** {@link #requireAccess(String, Duration)} waiting up to 15 s for an answer. */
  public void requireAccess(String clientId) {
    requireAccess(clientId, Duration.ofSeconds(15));
  }

  /** Whether clients prove who they are (SSL or SASL), so Kafka could refuse them. */
  public boolean authenticated() {
    return !passthrough
        .getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT")
        .equalsIgnoreCase("PLAINTEXT");
  }

  private Map<String, Object> base(Set<String> known, String clientId) {
    Map<String, Object> p = new HashMap<>(filtered(known));
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, Objects.requireNonNull(clientId));
    return p;
  }

  private static void putTuning(Map<String, Object> p, Map<String, ?> tuning) {
    tuning.forEach(
        (k, v) -> {
          if (ClientGuards.ownedByFactory(k)) {
            throw new IllegalArgumentException(k + " is set by KafkaClients, not by its callers");
          }
          p.put(k, v);
        });
  }

  private Map<String, String> filtered(Set<String> known) {
    Map<String, String> out = new HashMap<>();
    passthrough.forEach(
        (k, v) -> {
          if (known.contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /**
   * One passthrough property as configured.
   *
   * @param writtenAs where it came from, for errors ({@code indexer.kafka.client.sasl.mechanism})
   * @param key the Kafka property, possibly spelled as the environment does ({@code
   *     sasl_mechanism})
   */
  public record Passthrough(String writtenAs, String key, String value) {
    public Passthrough {
      Objects.requireNonNull(writtenAs);
      Objects.requireNonNull(key);
      value = value == null ? "" : value.strip();
    }
  }
}
