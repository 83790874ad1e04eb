package dev.mcpaudit.queryapi.rules;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.rules.CustomRule;
import dev.mcpaudit.rules.RuleCodec;
import dev.mcpaudit.rules.RuleFeed;
import dev.mcpaudit.rules.query.TermPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The analysts' alert rules as this API replica reads and writes them (README, "Alert rules"): each
 * change is a stamped record of the compacted rules topic, keyed by rule id, one version after the
 * one this replica has read; it is answered once it has been read back, so the answer is what every
 * detector applies. Two replicas saving the same rule at once both write the next version; the
 * first in the topic counts, and the other caller is told so. Every change goes to the audit trail
 * with what it set.
 */
public final class RuleRegistry implements AutoCloseable {
  private final String topic;
  private final Stamps stamps;
  private final AuditTrail audit;
  private final Clock clock;
  private final Duration wait;
  private final KafkaProducer<byte[], byte[]> producer;
  private final RuleFeed feed;

  /** What a save or a delete came to. */
  public sealed interface Outcome {
    /** Written and read back: every detector applies it. */
    record Saved(CustomRule rule, boolean created) implements Outcome {}

    /** Another change of the same rule came first; the rule is as it says. */
    record Conflict(Optional<CustomRule> current) implements Outcome {}

    /** There is no such rule among the caller's. */
    record NotFound() implements Outcome {}

    /** The id belongs to a rule of a tenant the caller does not see. */
    record Taken() implements Outcome {}
  }

  /**
   * @param wait how long a change may take to be written and read back, and the first read of the
   *     topic (past it, 503)
   */
  public RuleRegistry(
      KafkaClients kafka,
      String topic,
      short replication,
      Stamps stamps,
      AuditTrail audit,
      Clock clock,
      Duration wait) {
    if (!stamps.canSign()) {
      throw new IllegalStateException(
          "alert rules need a stamp key (stamp.keys.<id>): detectors apply only stamped rules"
              + " (docs/provenance.md)");
    }
    this.topic = topic;
    this.stamps = stamps;
    this.audit = audit;
    this.clock = clock;
    this.wait = wait;
    this.producer =
        new KafkaProducer<>(
            kafka.producer("mcp-audit-api-rules", Map.of(ProducerConfig.LINGER_MS_CONFIG, 0)),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    this.feed =
        new RuleFeed(kafka, topic, "mcp-audit-api-rules", stamps, TermPolicy.DEFAULT, b -> {})
            // Kafka away at start delays the rule routes (503 with the reason), never the reads.
            .creatingTopic("api", replication)
            .start();
  }

  /** The rules the caller sees: those of its tenants, and every-tenant ones if it sees them all. */
  public List<CustomRule> visible(Caller caller) {
    caughtUp();
    return feed.rules().stream().filter(r -> covers(caller, r)).toList();
  }

  public Optional<CustomRule> get(Caller caller, String id) {
    caughtUp();
    return feed.rule(id).filter(r -> !r.deleted() && covers(caller, r));
  }

  /** Saves {@code rule} (checked already) as the caller's change. */
  public Outcome save(Caller caller, CustomRule rule) {
    caughtUp();
    Optional<CustomRule> held = feed.rule(rule.id());
    if (held.isPresent() && !held.get().deleted() && !covers(caller, held.get())) {
      return new Outcome.Taken();
    }
    int version = held.map(CustomRule::version).orElse(0);
    CustomRule next = rule.savedBy(caller.principal(), clock.instant(), version);
    if (!write(next)) {
      return new Outcome.Conflict(feed.rule(rule.id()).filter(r -> !r.deleted()));
    }
    boolean created = held.isEmpty() || held.get().deleted();
    audit.changed(
        caller.principal(),
        "api.rules.put",
        (created ? "created" : "changed") + " alert rule " + next.id() + " v" + next.version(),
        attributes(next));
    return new Outcome.Saved(next, created);
  }

  public Outcome delete(Caller caller, String id) {
    caughtUp();
    Optional<CustomRule> held = feed.rule(id).filter(r -> !r.deleted() && covers(caller, r));
    if (held.isEmpty()) {
      return new Outcome.NotFound();
    }
    CustomRule gone = CustomRule.deletion(held.get(), caller.principal(), clock.instant());
    if (!write(gone)) {
      return new Outcome.Conflict(feed.rule(id).filter(r -> !r.deleted()));
    }
    audit.changed(
        caller.principal(),
        "api.rules.delete",
        "deleted alert rule " + id + " (was v" + held.get().version() + ")",
        Map.of("rule", id, "tenant", gone.tenant()));
    return new Outcome.Saved(gone, false);
  }

  /** Whether the caller may see and change {@code r}. */
  public static boolean covers(Caller caller, CustomRule r) {
    return r.tenant().equals(CustomRule.EVERY_TENANT)
        ? caller.allTenants()
        : caller.sees(r.tenant());
  }

  /**
   * Writes {@code r} and waits until it is read back.
   *
   * @return whether it is the version that counts
   */
  private boolean write(CustomRule r) {
    byte[] value = RuleCodec.bytes(r);
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, r.id().getBytes(StandardCharsets.UTF_8), value);
    record.headers().add(stamps.sign(StampKind.API, value));
    try {
      RecordMetadata m = producer.send(record).get(wait.toMillis(), TimeUnit.MILLISECONDS);
      if (!feed.awaitRead(m.offset(), wait)) {
        throw new IndexUnavailable(
            "the rules topic was not read back within " + wait.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexUnavailable("interrupted while saving the rule");
    } catch (ExecutionException | TimeoutException e) {
      throw new IndexUnavailable("the rules topic cannot be written now");
    }
    return feed.rule(r.id()).filter(r::equals).isPresent();
  }

  private void caughtUp() {
    try {
      if (!feed.awaitCaughtUp(wait)) {
        throw new IndexUnavailable("the rules topic is not read yet");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexUnavailable("interrupted while reading the rules");
    }
  }

  private static Map<String, String> attributes(CustomRule r) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("rule", r.id());
    a.put("tenant", r.tenant());
    a.put("query", r.query());
    a.put("group_by", String.join(",", r.groupBy()));
    a.put("threshold", Integer.toString(r.threshold()));
    a.put("window_seconds", Long.toString(r.window().toSeconds()));
    a.put("suppression_seconds", Long.toString(r.suppression().toSeconds()));
    a.put("severity", r.severity().name().toLowerCase(java.util.Locale.ROOT));
    a.put("enabled", Boolean.toString(r.enabled()));
    return a;
  }

  @Override
  public void close() {
    feed.close();
    producer.close(Duration.ofSeconds(5));
  }
}
