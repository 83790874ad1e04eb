package dev.mcpaudit.indexer.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.indexer.ingest.DeadLetters;
import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.runtime.http.LogText;
import dev.mcpaudit.schema.alert.AlertChange;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.event.EventCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts topic and alert-changes topic to the alerts index. Every indexer reads every partition (no
 * consumer group): alerts are few, and each API must show all of them, whichever shard of events it
 * serves. Reads only committed alerts (the detector writes transactionally) and resumes from the
 * offsets of the index's last commit, so a crash re-reads at most what was not committed. Alerts
 * are written once by (tenant, alert_id): reading one again, or another alert under a recorded id,
 * never replaces the record. Only alerts stamped by the detector or an indexer are indexed
 * (docs/provenance.md); anything else on the topic goes to the dead-letter topic, counted. Changes
 * are applied in topic order by the rule every reader shares ({@link AlertTrack#apply}), so a
 * rebuild from the two topics reaches the same states (docs/alerts.md).
 */
public final class AlertIngest implements Runnable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AlertIngest.class);
  private static final Duration COMMIT_EVERY = Duration.ofMillis(500);
  private static final Duration REDISCOVER_EVERY = Duration.ofSeconds(30);

  private final AlertStore index;

  /** Whether the store keeps the offsets (Lucene) or the consumer group does (a cluster). */
  private final boolean offsetsInStore;

  private final String topic;

  /** The alert-changes topic (docs/alerts.md): the workflow state of each alert. */
  private final String changesTopic;

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Long> next = new HashMap<>();

  /**
   * Alerts added since the last commit, which the index's reader cannot see until that commit's
   * refresh.
   */
  private final Map<Key, AlertStore.Recorded> unrefreshed = new HashMap<>();

  private final Stamps stamps;
  private final Counter unproven;
  private final DeadLetters deadLetters;
  private final Counter repeats;
  private final Counter conflicting;
  private final Counter changesApplied;
  private final Counter changesNotApplied;
  private volatile boolean running = true;
  private volatile Throwable fatal;

  private record Key(String tenant, String alertId) {}

  private static final List<String> CASE_FIELDS =
      List.of(
          AlertFields.TYPE,
          AlertFields.SEVERITY,
          AlertFields.SUBJECT,
          AlertFields.ACTOR,
          AlertFields.HANDLE,
          AlertFields.TOOL);

  /**
   * @param stamps the keys whose detector or indexer stamp an alert must carry to be indexed
   * @param deadLetterTopic where an alert without one goes, with the reason
   */
  public AlertIngest(
      AlertStore index,
      KafkaClients kafka,
      String topic,
      String changesTopic,
      Stamps stamps,
      String deadLetterTopic,
      MeterRegistry registry,
      String groupId) {
    this.index = index;
    this.stamps = stamps;
    this.unproven =
        Counter.builder("mcp_audit_indexer_unproven_refused")
            .tag("record", "alert")
            .description(
                "records refused for want of a valid stamp (docs/provenance.md): tenant _system"
                    + " without the api's, alerts without the detector's or the indexer's")
            .register(registry);
    this.deadLetters =
        new DeadLetters(kafka, "mcp-audit-indexer-alerts-dlq", deadLetterTopic, stamps);
    this.repeats =
        Counter.builder("mcp_audit_indexer_alert_repeats")
            .tag("kind", "same_case")
            .description(
                "alerts whose (tenant, alert_id) was already recorded; the first version stays the record")
            .register(registry);
    this.conflicting =
        Counter.builder("mcp_audit_indexer_alert_repeats")
            .tag("kind", "other_case")
            .description(
                "alerts whose (tenant, alert_id) was already recorded; the first version stays the record")
            .register(registry);
    this.changesApplied =
        Counter.builder("mcp_audit_indexer_alert_changes")
            .tag("outcome", "applied")
            .description(
                "alert changes read from the alert-changes topic: applied, or not (written on a"
                    + " version another change took first, or a repeat)")
            .register(registry);
    this.changesNotApplied =
        Counter.builder("mcp_audit_indexer_alert_changes")
            .tag("outcome", "not_applied")
            .description(
                "alert changes read from the alert-changes topic: applied, or not (written on a"
                    + " version another change took first, or a repeat)")
            .register(registry);
    this.topic = topic;
    this.changesTopic = changesTopic;
    Optional<Map<String, Long>> stored = index.storedOffsets();
    this.offsetsInStore = stored.isPresent();
    stored.ifPresent(next::putAll);
    Map<String, Object> cfg = new HashMap<>();
    if (!offsetsInStore) {
      // Partitions are still assigned, not subscribed: the group only keeps the offsets.
      cfg.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    cfg.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    cfg.put(
        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
        false); // the detector creates it, with its settings
    this.consumer =
        new KafkaConsumer<>(
            kafka.consumer("mcp-audit-indexer-alerts", cfg),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
  }

  public Throwable fatalError() {
    return fatal;
  }

  @Override
  public void run() {
    long lastCommit = System.nanoTime();
    long lastDiscovery = 0;
    boolean dirty = false;
    long rediscoverEvery = 0;
    try {
      while (running) {
        if (System.nanoTime() - lastDiscovery > rediscoverEvery) {
          rediscoverEvery =
              assignAll() ? REDISCOVER_EVERY.toNanos() : Duration.ofSeconds(2).toNanos();
          lastDiscovery = System.nanoTime();
        }
        if (consumer.assignment().isEmpty()) {
          waitForTopic();
          lastDiscovery = 0;
          continue;
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (r.topic().equals(changesTopic)) {
            change(r);
          } else {
            index(r);
          }
          next.put(r.topic() + ":" + r.partition(), r.offset() + 1);
          dirty = true;
        }
        if ((dirty && System.nanoTime() - lastCommit > COMMIT_EVERY.toNanos())
            || index.checkpointDue()) {
          commit();
          lastCommit = System.nanoTime();
          dirty = false;
        }
      }
      if (dirty) {
        commit();
      }
    } catch (WakeupException e) {
      if (running) {
        fatal = e;
      } else {
        commitQuietly();
      }
    } catch (Exception e) {
      fatal = e;
      log.error(
          "alert indexing stopped: the alerts index keeps its last commit and resumes from it", e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
      deadLetters.close();
    }
  }

  private void index(ConsumerRecord<byte[], byte[]> r) throws IOException {
    Optional<Stamps.Proof> proof = stamps.verify(r.headers(), r.value());
    if (proof.isEmpty()
        || !(proof.get().kind() == StampKind.DETECTOR || proof.get().kind() == StampKind.INDEXER)) {
      refuse(r);
      return;
    }
    JsonNode alert;
    String id;
    String tenant;
    try {
      alert = EventCodec.mapper().readTree(r.value());
      id = alert.path(AlertFields.ALERT_ID).asText("");
      tenant = alert.path(AlertFields.TENANT).asText("");
      if (id.isEmpty() || tenant.isEmpty() || !alert.hasNonNull(AlertFields.DETECTED_AT)) {
        throw new IOException("no alert_id, tenant or detected_at");
      }
    } catch (IOException | RuntimeException e) {
      // The detector and the indexer are the only writers of this topic; anything else there is
      // skipped, loudly.
      log.warn(
          "skipping a record of {} that is not an alert partition={} offset={} error={}",
          topic,
          r.partition(),
          r.offset(),
          e.getMessage());
      return;
    }
    Key key = new Key(tenant, id);
    AlertStore.Recorded recorded = recorded(key);
    if (recorded == null || recorded.alert() == null) {
      // The record, once, in its tenant's alert log: in the topic's order per partition, hashed
      // with who stamped it, as a decision's leaf is hashed with how it arrived.
      AlertStore.Logged logged = null;
      if (index.keepsEvidence()) {
        String kind = proof.get().kind().name().toLowerCase(java.util.Locale.ROOT);
        String by = proof.get().keyId();
        long leaf =
            index.appendLeaf(
                tenant,
                r.partition(),
                dev.mcpaudit.schema.evidence.LeafForm.hash(r.value(), kind, by));
        logged = new AlertStore.Logged(r.partition(), leaf, kind, by);
      }
      write(
          new AlertStore.Recorded(
              tenant,
              id,
              Instant.parse(alert.path(AlertFields.DETECTED_AT).asText()),
              r.value(),
              recorded == null ? AlertTrack.NEW : recorded.track(),
              logged));
    } else if (sameCase(EventCodec.mapper().readTree(recorded.alert()), alert)) {
      repeats.increment();
    } else {
      conflicting.increment();
      log.warn(
          "alert not recorded: alert_id={} of tenant={} is recorded as another case partition={} offset={}",
          LogText.of(id, 128),
          LogText.of(tenant, 64),
          r.partition(),
          r.offset());
    }
  }

  private AlertStore.Recorded recorded(Key key) throws IOException {
    AlertStore.Recorded recorded = unrefreshed.get(key);
    return recorded != null ? recorded : index.find(key.tenant(), key.alertId());
  }

  private void write(AlertStore.Recorded r) throws IOException {
    index.write(r);
    unrefreshed.put(new Key(r.tenant(), r.alertId()), r);
  }

  /**
   * One change of the alert-changes topic, applied by the rule every reader shares ({@link
   * AlertTrack#apply}): on top of the version it was written on, or not at all. Only the API writes
   * changes; one without its stamp, or that is not a change, goes to the dead-letter topic.
   */
  private void change(ConsumerRecord<byte[], byte[]> r) throws IOException {
    Optional<Stamps.Proof> proof = stamps.verify(r.headers(), r.value());
    if (proof.isEmpty() || proof.get().kind() != StampKind.API) {
      unproven.increment();
      log.warn(
          "alert change refused: no valid api stamp topic={} partition={} offset={}",
          changesTopic,
          r.partition(),
          r.offset());
      deadLetters.send(
          r,
          "(alert change): no valid api stamp; alert changes are written only by the api"
              + " (docs/provenance.md)",
          Instant.now());
      return;
    }
    AlertChange change;
    try {
      change = AlertChangeCodec.read(r.value());
    } catch (IllegalArgumentException e) {
      deadLetters.send(r, "(alert change): " + e.getMessage(), Instant.now());
      return;
    }
    Key key = new Key(change.tenant(), change.alertId());
    AlertStore.Recorded recorded = recorded(key);
    AlertTrack track = recorded == null ? AlertTrack.NEW : recorded.track();
    Optional<AlertTrack> next = track.apply(change);
    if (next.isEmpty()) {
      changesNotApplied.increment();
      return;
    }
    changesApplied.increment();
    write(
        recorded == null
            ? new AlertStore.Recorded(
                change.tenant(), change.alertId(), change.alertDetectedAt(), null, next.get())
            : recorded.withTrack(next.get()));
  }

  /**
   * A re-emitted alert (after a detector restart, or the indexer reading a conflict again) names
   * the same case: type, severity, subject and who it is about. Time, evidence and summary may have
   * grown; the first version stays the record either way.
   */
  private static boolean sameCase(JsonNode recorded, JsonNode again) {
    for (String f : CASE_FIELDS) {
      if (!recorded.path(f).equals(again.path(f))) {
        return false;
      }
    }
    return true;
  }

  /**
   * An alert no mcp-audit role stamped: anyone who may produce to the topic could have written it.
   * Kept in the dead-letter topic, never indexed.
   */
  private void refuse(ConsumerRecord<byte[], byte[]> r) {
    unproven.increment();
    log.warn(
        "alert refused: no valid detector or indexer stamp topic={} partition={} offset={}",
        topic,
        r.partition(),
        r.offset());
    deadLetters.send(
        r,
        "(alert): no valid detector or indexer stamp; alerts are written only by mcp-audit's"
            + " roles (docs/provenance.md)",
        Instant.now());
  }

  /**
   * Assigns every partition of both topics; true when both exist (until then the caller looks again
   * soon: the API creates the changes topic when it first starts).
   */
  private boolean assignAll() {
    List<TopicPartition> tps = new java.util.ArrayList<>();
    boolean both = true;
    for (String t : List.of(topic, changesTopic)) {
      List<PartitionInfo> parts;
      try {
        parts = consumer.partitionsFor(t, Duration.ofSeconds(10));
      } catch (org.apache.kafka.common.errors.TopicAuthorizationException e) {
        if (t.equals(topic)) {
          throw e;
        }
        // Alert changes are not readable by this principal (an ACL missing): alerts are still
        // indexed; their workflow state is not, until the ACL is granted (README, Production
        // Kafka).
        log.warn("alert changes not readable topic={} error={}", t, e.getMessage());
        both = false;
        continue;
      }
      if (parts == null || parts.isEmpty()) {
        both = false;
        continue;
      }
      parts.forEach(p -> tps.add(new TopicPartition(t, p.partition())));
    }
    if (tps.isEmpty() || tps.size() == consumer.assignment().size()) {
      return both;
    }
    consumer.assign(tps);
    if (!offsetsInStore) {
      consumer
          .committed(new java.util.HashSet<>(tps))
          .forEach(
              (tp, o) -> {
                if (o != null) {
                  next.putIfAbsent(tp.topic() + ":" + tp.partition(), o.offset());
                }
              });
    }
    for (TopicPartition tp : tps) {
      Long at = next.get(tp.topic() + ":" + tp.partition());
      if (at == null) {
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, at);
      }
    }
    log.info("alert indexing assigned partitions={}", tps.size());
    return both;
  }

  private void waitForTopic() {
    // No alerts topic yet (no detector has run): look again shortly, without spinning.
    synchronized (this) {
      try {
        wait(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
    }
  }

  /** Commits (which refreshes the reader), then forgets what the reader now holds. */
  private void commit() throws IOException {
    // The offsets move past a refused alert only once its dead letter is acknowledged.
    try {
      deadLetters.awaitAll();
    } catch (ExecutionException e) {
      throw new IOException("dead letter of a refused alert not acknowledged", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a dead letter", e);
    }
    Map<String, Long> offsets = Map.copyOf(next);
    index.commit(offsets);
    if (!offsetsInStore && !offsets.isEmpty()) {
      Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> group =
          new HashMap<>();
      offsets.forEach(
          (k, v) -> {
            int colon = k.lastIndexOf(':');
            group.put(
                new TopicPartition(k.substring(0, colon), Integer.parseInt(k.substring(colon + 1))),
                new org.apache.kafka.clients.consumer.OffsetAndMetadata(v));
          });
      consumer.commitSync(group);
    }
    unrefreshed.clear();
  }

  private void commitQuietly() {
    try {
      commit();
    } catch (IOException e) {
      log.warn("final alerts index commit failed error={}", e.toString());
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    synchronized (this) {
      notifyAll();
    }
  }
}
