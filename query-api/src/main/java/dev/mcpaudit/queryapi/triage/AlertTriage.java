package dev.mcpaudit.queryapi.triage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.schema.alert.AlertChange;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertState;
import dev.mcpaudit.schema.alert.AlertTrack;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Changes alerts: each change is written to the alert-changes topic, stamped as the API's, on the
 * version this replica read, and answered only once this replica has read it back and knows it
 * applied (docs/alerts.md). Every change made is recorded in the audit trail with who made it and
 * what it changed.
 */
public final class AlertTriage implements AutoCloseable {
  /** Attempts of a change without {@code If-Match} that loses to a concurrent one. */
  private static final int ATTEMPTS = 3;

  private final String topic;
  private final Stamps stamps;
  private final AuditTrail audit;
  private final Clock clock;
  private final Duration wait;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AlertLedger ledger;
  private final Thread reader;

  /** How one change ended. */
  public sealed interface Outcome {
    int version();

    AlertState state();

    /** Applied: the alert is now at {@code change.version()}. */
    record Changed(AlertChange change) implements Outcome {
      @Override
      public int version() {
        return change.version();
      }

      @Override
      public AlertState state() {
        return change.to();
      }
    }

    /** Nothing to change: the alert already is as asked, and no note was given. */
    record Unchanged(int version, AlertState state) implements Outcome {}

    /** Another change came first: the alert is not at the version the caller named. */
    record Conflict(int version, AlertState state) implements Outcome {}
  }

  /**
   * What a bulk change did.
   *
   * @param versions each changed alert's new version, as {@code <tenant>/<alert_id>}, so a client
   *     can tell when the list shows them
   */
  public record BulkOutcome(
      int matched,
      int changed,
      int unchanged,
      int conflicts,
      int refused,
      java.util.Map<String, Integer> versions) {}

  /**
   * @param wait how long a change may take to be written and read back (past it, 503)
   */
  public AlertTriage(
      KafkaClients kafka,
      String topic,
      short replication,
      Stamps stamps,
      AuditTrail audit,
      Clock clock,
      Duration wait) {
    if (!stamps.canSign()) {
      throw new IllegalStateException(
          "changing alerts needs a stamp key (stamp.keys.<id>): the indexer applies only stamped"
              + " changes (docs/provenance.md)");
    }
    this.topic = topic;
    this.stamps = stamps;
    this.audit = audit;
    this.clock = clock;
    this.wait = wait;
    this.producer =
        new KafkaProducer<>(
            kafka.producer(
                "mcp-audit-api-alert-changes",
                // acks=all and idempotence come with every producer of KafkaClients.
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 0)),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    this.ledger = new AlertLedger(kafka, topic, replication, stamps);
    this.reader =
        Thread.ofPlatform().name("mcp-audit-api-alert-changes").daemon(true).start(ledger);
  }

  /**
   * Changes one alert.
   *
   * @param alert the alert as the store answered it (its tenant, id and detection time)
   * @param ifMatch the version the caller saw; a change on another version is a {@link
   *     Outcome.Conflict}
   * @throws InvalidQuery when the patch does not apply to the alert's state
   * @throws IndexUnavailable when the topic cannot be written or read back in time
   */
  public Outcome change(String principal, JsonNode alert, Patch patch, OptionalInt ifMatch) {
    for (int attempt = 1; ; attempt++) {
      sync();
      Prepared p = prepare(principal, alert, patch, ifMatch);
      if (p.outcome() != null) {
        return p.outcome();
      }
      boolean applied = await(List.of(p.change())).get(0);
      if (applied) {
        recorded(p.change());
        return new Outcome.Changed(p.change());
      }
      AlertLedger.Tip now = tip(alert);
      if (ifMatch.isPresent() || attempt == ATTEMPTS) {
        return new Outcome.Conflict(now.version(), now.state());
      }
    }
  }

  /**
   * Changes every alert of {@code alerts} the patch applies to, each on its current version; one a
   * concurrent change overtook is tried once more.
   */
  public BulkOutcome changeAll(String principal, List<JsonNode> alerts, Patch patch) {
    int changed = 0;
    int unchanged = 0;
    int refused = 0;
    List<JsonNode> pending = alerts;
    int conflicts = 0;
    Map<String, Integer> versions = new java.util.TreeMap<>();
    for (int attempt = 1; attempt <= 2 && !pending.isEmpty(); attempt++) {
      sync();
      Map<AlertChange, JsonNode> writes = new LinkedHashMap<>();
      for (JsonNode alert : pending) {
        try {
          Prepared p = prepare(principal, alert, patch, OptionalInt.empty());
          if (p.outcome() != null) {
            unchanged++;
          } else {
            writes.put(p.change(), alert);
          }
        } catch (InvalidQuery e) {
          refused++; // this alert is in a state the patch does not apply to
        }
      }
      List<AlertChange> sent = new ArrayList<>(writes.keySet());
      List<Boolean> applied = await(sent);
      List<JsonNode> again = new ArrayList<>();
      conflicts = 0;
      for (int i = 0; i < sent.size(); i++) {
        if (applied.get(i)) {
          changed++;
          recorded(sent.get(i));
          versions.put(sent.get(i).tenant() + "/" + sent.get(i).alertId(), sent.get(i).version());
        } else {
          conflicts++;
          again.add(writes.get(sent.get(i)));
        }
      }
      pending = again;
    }
    return new BulkOutcome(alerts.size(), changed, unchanged, conflicts, refused, versions);
  }

  private record Prepared(AlertChange change, Outcome outcome) {}

  private Prepared prepare(String principal, JsonNode alert, Patch patch, OptionalInt ifMatch) {
    AlertLedger.Tip tip = tip(alert);
    if (ifMatch.isPresent() && ifMatch.getAsInt() != tip.version()) {
      return new Prepared(null, new Outcome.Conflict(tip.version(), tip.state()));
    }
    AlertState next = patch.applyTo(tip.state());
    if (next.equals(tip.state()) && patch.note() == null) {
      return new Prepared(null, new Outcome.Unchanged(tip.version(), tip.state()));
    }
    if (tip.version() >= AlertTrack.MAX_CHANGES) {
      throw new InvalidQuery(
          "this alert has " + AlertTrack.MAX_CHANGES + " changes, the most one alert keeps");
    }
    return new Prepared(
        new AlertChange(
            UUID.randomUUID().toString(),
            alert.path(AlertFields.TENANT).asText(),
            alert.path(AlertFields.ALERT_ID).asText(),
            Instant.parse(alert.path(AlertFields.DETECTED_AT).asText()),
            tip.version() + 1,
            clock.instant(),
            principal,
            tip.state(),
            next,
            patch.note()),
        null);
  }

  private AlertLedger.Tip tip(JsonNode alert) {
    return ledger.tip(
        alert.path(AlertFields.TENANT).asText(), alert.path(AlertFields.ALERT_ID).asText());
  }

  private void sync() {
    try {
      if (!ledger.sync(wait)) {
        throw new IndexUnavailable(
            ledger
                .unavailable()
                .orElse("the alert-changes topic could not be read up to date in " + wait));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexUnavailable("interrupted while reading the alert-changes topic");
    }
  }

  /** Writes the changes, then waits until each is read back: whether each applied. */
  private List<Boolean> await(List<AlertChange> changes) {
    long deadline = System.nanoTime() + wait.toNanos();
    List<CompletableFuture<Boolean>> outcomes = new ArrayList<>(changes.size());
    List<java.util.concurrent.Future<?>> sends = new ArrayList<>(changes.size());
    int partitions = producer.partitionsFor(topic).size();
    for (AlertChange c : changes) {
      outcomes.add(ledger.expect(c.changeId()));
      byte[] value = AlertChangeCodec.bytes(c);
      String alertKey = c.tenant() + "/" + c.alertId();
      // Every change of one alert in one partition, so every reader sees them in one order.
      int partition =
          Utils.toPositive(Utils.murmur2(alertKey.getBytes(StandardCharsets.UTF_8))) % partitions;
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(
              topic,
              partition,
              (alertKey + "/" + c.changeId()).getBytes(StandardCharsets.UTF_8),
              value);
      stamps.stamp(record.headers(), StampKind.API, value);
      sends.add(producer.send(record));
    }
    try {
      for (java.util.concurrent.Future<?> f : sends) {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      List<Boolean> out = new ArrayList<>(changes.size());
      for (CompletableFuture<Boolean> f : outcomes) {
        out.add(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      }
      return out;
    } catch (ExecutionException | TimeoutException e) {
      changes.forEach(c -> ledger.forget(c.changeId()));
      throw new IndexUnavailable(
          "the alert change was not confirmed in "
              + wait
              + " (it may still apply: read the alert again): "
              + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IndexUnavailable("interrupted while writing an alert change");
    }
  }

  private void recorded(AlertChange c) {
    Map<String, String> what = new LinkedHashMap<>();
    what.put("alert_tenant", c.tenant());
    what.put("alert_id", c.alertId());
    what.put("version", Integer.toString(c.version()));
    what.put("from_status", c.from().status().wire());
    what.put("to_status", c.to().status().wire());
    put(what, "from_assignee", c.from().assignee());
    put(what, "to_assignee", c.to().assignee());
    put(
        what,
        "from_close_reason",
        c.from().closeReason() == null ? null : c.from().closeReason().wire());
    put(what, "to_close_reason", c.to().closeReason() == null ? null : c.to().closeReason().wire());
    put(what, "note", c.note());
    what.put("change_id", c.changeId());
    audit.changed(
        c.by(),
        "api.alerts.change",
        "alert "
            + c.tenant()
            + "/"
            + c.alertId()
            + " v"
            + c.version()
            + ": "
            + c.from().status().wire()
            + " -> "
            + c.to().status().wire(),
        what);
  }

  private static void put(Map<String, String> m, String k, String v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  @Override
  public void close() {
    ledger.close();
    producer.close(Duration.ofSeconds(5));
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
