package dev.mcpaudit.indexer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.indexer.ingest.Admitted;
import dev.mcpaudit.indexer.ingest.IndexSink;
import dev.mcpaudit.indexer.store.StoredVersion;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.opensearch.Documents;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.opensearch.RawJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenSearch cluster as the indexer's sink (docs/opensearch.md). Each record goes to the daily
 * index of its own {@code occurred_at}, with the {@code _id} of its (tenant, event_id), created
 * with {@code op_type=create}: a record read again meets itself and is a harmless conflict. A
 * version that moves the record to another day would not meet the first one in its index, so before
 * writing, the ids of a poll are looked up across every daily index (and, for writes not yet
 * searchable, in this indexer's memory of them); what exists is handed to the loop's judge. The
 * bulk request is acknowledged before the loop moves its offsets; while the cluster cannot take it,
 * the sink retries with backoff and the loop keeps its group membership.
 */
public final class ClusterSink implements IndexSink {
  private static final Logger log = LoggerFactory.getLogger(ClusterSink.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** Writes remembered until an explicit refresh makes them searchable; past this, refresh. */
  static final int MAX_UNREFRESHED = 200_000;

  private final Cluster cluster;
  private final IndexNames names;
  private final Duration retention;
  private final Clock clock;

  /** A record this indexer created, where, and when (nanoTime), until a refresh after that. */
  private record Written(String index, long at) {}

  /**
   * Records this indexer created that a search may not see yet. Written by the writer thread,
   * pruned by refreshes on the loop thread.
   */
  private final Map<String, Written> unrefreshed = new java.util.concurrent.ConcurrentHashMap<>();

  private volatile long lastRefresh = System.nanoTime();
  private final Duration refreshEvery;
  private volatile String unavailable;
  private Instant unavailableSince;
  private long lastReport;
  private static final Duration REPORT_EVERY = Duration.ofSeconds(15);

  /** The evidence logs, when they are on; null otherwise. */
  private final ClusterEvidence evidence;

  private final dev.mcpaudit.indexer.evidence.CheckpointPublisher publisher;

  public ClusterSink(Cluster cluster, Duration retention, Duration refreshEvery, Clock clock) {
    this(cluster, retention, refreshEvery, clock, null, null);
  }

  /**
   * With the evidence log on (README, "Verifiable evidence"): {@code settings} and {@code
   * publisher} both given.
   */
  public ClusterSink(
      Cluster cluster,
      Duration retention,
      Duration refreshEvery,
      Clock clock,
      dev.mcpaudit.indexer.evidence.EvidenceLog.Settings settings,
      dev.mcpaudit.indexer.evidence.CheckpointPublisher publisher) {
    this.cluster = cluster;
    this.names = cluster.names();
    this.retention = retention;
    this.refreshEvery = refreshEvery;
    this.clock = clock;
    this.publisher = publisher;
    this.evidence = settings == null ? null : new ClusterEvidence(cluster, settings, publisher);
  }

  /** The loop admits the next poll while this one is looked up and written. */
  @Override
  public boolean pipelined() {
    return true;
  }

  @Override
  public Optional<Map<String, Long>> storedOffsets() {
    return Optional.empty(); // Kafka's group keeps them, committed after each acknowledged write
  }

  @Override
  public Optional<String> unavailable() {
    return Optional.ofNullable(unavailable);
  }

  /** One record on its way: its index, id and document. */
  private record Pending(Admitted a, String index, String id) {}

  @Override
  public long write(
      List<List<List<Admitted>>> bySlice,
      int lanes,
      Instant now,
      Judge judge,
      ExecutorService workers)
      throws Exception {
    // Slices are in poll order and a record's versions share a lane: per record, poll order holds.
    Map<String, Pending> firsts = new LinkedHashMap<>();
    List<Admitted> later = new ArrayList<>();
    Instant oldest = retention.isZero() ? null : now.minus(retention);
    for (List<List<Admitted>> slice : bySlice) {
      for (List<Admitted> lane : slice) {
        for (Admitted a : lane) {
          Instant occurred = Instant.parse(a.tree().path("occurred_at").textValue());
          if (oldest != null && occurred.isBefore(oldest)) {
            judge.refuse(a, tooOld(occurred), now);
            continue;
          }
          String id = IndexNames.documentId(a.key().tenant(), a.key().eventId());
          if (firsts.containsKey(id)) {
            later.add(a);
          } else {
            firsts.put(id, new Pending(a, names.decisionsIndex(occurred), id));
          }
        }
      }
    }
    if (firsts.isEmpty()) {
      return 0;
    }
    Map<String, StoredVersion> existing = lookUp(firsts, judge);
    List<Pending> toCreate = new ArrayList<>();
    List<Entry> entries = new ArrayList<>();
    for (Pending p : firsts.values()) {
      StoredVersion first = existing.get(p.id());
      if (first == null) {
        toCreate.add(p);
        entries.add(new Entry(p.a(), null));
      } else {
        if (first.leaf() >= 0
            && first.partition() == p.a().record().partition()
            && first.offset() == p.a().record().offset()) {
          entries.add(new Entry(p.a(), first)); // this very record, written before a crash
        }
        judge.duplicate(p.a(), first, now);
      }
    }
    if (evidence == null) {
      return createdAndLater(create(toCreate, now, judge), later, firsts, existing, now, judge);
    }
    evidence.lock().lock();
    try {
      leaves(entries);
      long created = create(toCreate, now, judge);
      evidence.persist(now, ops -> writeAll(ops, judge));
      return createdAndLater(created, later, firsts, existing, now, judge);
    } finally {
      evidence.lock().unlock();
    }
  }

  /** A record entering its log: a new one, or this very record stored before ({@code stored}). */
  private record Entry(Admitted a, StoredVersion stored) {}

  /**
   * Gives each new record its leaf, in Kafka's order per log, and appends the leaves; a record
   * stored before a crash enters again at the leaf it holds when the log has not counted it yet.
   */
  private void leaves(List<Entry> entries) {
    Map<dev.mcpaudit.index.evidence.LogId, List<Entry>> byLog = new java.util.TreeMap<>();
    for (Entry e : entries) {
      byLog
          .computeIfAbsent(
              new dev.mcpaudit.index.evidence.LogId(
                  e.a().key().tenant(), e.a().record().partition()),
              k -> new ArrayList<>())
          .add(e);
    }
    for (var log : byLog.entrySet()) {
      log.getValue().sort(java.util.Comparator.comparingLong(e -> e.a().record().offset()));
      ClusterEvidence.State s = evidence.state(log.getKey());
      for (Entry e : log.getValue()) {
        // The leaf of the bytes as the document holds them, with the provenance it records.
        byte[] stored = Documents.storedEvent(e.a().value());
        dev.mcpaudit.index.Provenance p =
            e.stored() != null && e.stored().provenance() != null
                ? e.stored().provenance()
                : dev.mcpaudit.index.StoredEvents.provenance(e.a().doc());
        if (p == null) {
          p = dev.mcpaudit.index.Provenance.kafka();
        }
        byte[] leafHash =
            stored == e.a().value() && e.stored() == null && e.a().leafHash() != null
                ? e.a().leafHash()
                : dev.mcpaudit.schema.evidence.LeafForm.hash(stored, p.kind(), p.by());
        if (e.stored() != null) {
          long leaf = e.stored().leaf();
          if (leaf < s.reserved) {
            continue; // the log counted it before the stop
          }
          if (leaf > s.reserved) {
            throw new IllegalStateException(
                "evidence log "
                    + log.getKey()
                    + " is at leaf "
                    + s.reserved
                    + ", but the stored record "
                    + e.a().key().eventId()
                    + " read again holds leaf "
                    + leaf
                    + ": the cluster's records and their log disagree");
          }
          s.reserved++;
        } else {
          long at = s.reserved++;
          e.a()
              .doc()
              .add(
                  new org.apache.lucene.document.StoredField(
                      dev.mcpaudit.index.IndexSchema.EVIDENCE_LEAF, at));
          e.a()
              .doc()
              .add(
                  new org.apache.lucene.document.StoredField(
                      dev.mcpaudit.index.IndexSchema.EVIDENCE_POSITION,
                      dev.mcpaudit.index.IndexSchema.evidencePosition(
                          log.getKey().partition(), at)));
        }
        evidence.append(s, leafHash);
      }
    }
  }

  private long createdAndLater(
      long created,
      List<Admitted> later,
      Map<String, Pending> firsts,
      Map<String, StoredVersion> existing,
      Instant now,
      Judge judge) {
    for (Admitted a : later) {
      Pending first = firsts.get(IndexNames.documentId(a.key().tenant(), a.key().eventId()));
      StoredVersion recorded = existing.get(first.id());
      judge.duplicate(a, recorded != null ? recorded : first.a().asStored(), now);
    }
    return created;
  }

  /**
   * The recorded versions of the given records, wherever they are: a search by id across every
   * daily index, and for this indexer's writes that search may not see yet, a real-time get.
   */
  private Map<String, StoredVersion> lookUp(Map<String, Pending> firsts, Judge judge)
      throws InterruptedException {
    Map<String, StoredVersion> found = new HashMap<>();
    ObjectNode search = F.objectNode();
    search.put("size", firsts.size());
    search.put("track_total_hits", false);
    search
        .putArray("_source")
        .add(DecisionMapping.EVENT)
        .add("kafka")
        .add("evidence")
        .add("provenance");
    var values = search.putObject("query").putObject("ids").putArray("values");
    firsts.keySet().forEach(values::add);
    JsonNode hits =
        json(
                "search",
                () ->
                    cluster.send(
                        "POST",
                        "/"
                            + names.decisionsPattern()
                            + "/_search?ignore_unavailable=true&allow_no_indices=true",
                        search),
                judge)
            .path("hits")
            .path("hits");
    for (JsonNode h : hits) {
      found.put(h.path("_id").asText(), version(h.path("_source")));
    }
    List<String[]> realtime = new ArrayList<>();
    for (String id : firsts.keySet()) {
      Written w = unrefreshed.get(id);
      if (w != null && !found.containsKey(id)) {
        realtime.add(new String[] {w.index(), id});
      }
    }
    found.putAll(get(realtime, judge));
    return found;
  }

  /** Real-time gets by (index, id): they see writes no refresh has made searchable yet. */
  private Map<String, StoredVersion> get(List<String[]> docs, Judge judge)
      throws InterruptedException {
    Map<String, StoredVersion> found = new HashMap<>();
    if (docs.isEmpty()) {
      return found;
    }
    ObjectNode mget = F.objectNode();
    var list = mget.putArray("docs");
    for (String[] d : docs) {
      ObjectNode doc = list.addObject().put("_index", d[0]).put("_id", d[1]);
      doc.putArray("_source")
          .add(DecisionMapping.EVENT)
          .add("kafka")
          .add("evidence")
          .add("provenance");
    }
    JsonNode reply = json("mget", () -> cluster.send("POST", "/_mget", mget), judge);
    for (JsonNode d : reply.path("docs")) {
      if (d.path("found").asBoolean(false)) {
        found.put(d.path("_id").asText(), version(d.path("_source")));
      }
    }
    return found;
  }

  private static StoredVersion version(JsonNode source) {
    JsonNode leaf = dotted(source, "evidence.leaf");
    JsonNode kind = dotted(source, "provenance.kind");
    JsonNode by = dotted(source, "provenance.by");
    return new StoredVersion(
        source.path(DecisionMapping.EVENT).toString().getBytes(StandardCharsets.UTF_8),
        dotted(source, "kafka.partition").asInt(-1),
        dotted(source, "kafka.offset").asLong(-1),
        leaf.isNumber() ? leaf.asLong() : -1,
        kind.isTextual()
            ? new dev.mcpaudit.index.Provenance(kind.asText(), by.isTextual() ? by.asText() : null)
            : null);
  }

  /**
   * A value by its dotted path: documents are written with dotted names ({@code
   * "kafka.partition"}), which {@code _source} gives back as written; an object path is read too.
   */
  private static JsonNode dotted(JsonNode source, String path) {
    if (source.has(path)) {
      return source.get(path);
    }
    JsonNode at = source;
    for (String part : path.split("\\.")) {
      at = at.path(part);
    }
    return at;
  }

  /**
   * Creates the records, retrying what the cluster could not take now (rejected, unavailable) until
   * it does; a record whose id exists by now (another writer, or a replay the search missed) is
   * judged against the recorded one.
   */
  private long create(List<Pending> pending, Instant now, Judge judge) throws Exception {
    long created = 0;
    long backoff = 200;
    List<Pending> todo = pending;
    while (!todo.isEmpty()) {
      List<BulkOperation> ops = new ArrayList<>(todo.size());
      for (Pending p : todo) {
        byte[] doc = Documents.decision(p.a().doc());
        ops.add(
            BulkOperation.of(
                o -> o.create(c -> c.index(p.index()).id(p.id()).document(new RawJson(doc)))));
      }
      BulkResponse response =
          retrying("bulk", () -> cluster.client().bulk(b -> b.operations(ops)), judge);
      List<Pending> again = new ArrayList<>();
      List<String[]> conflicts = new ArrayList<>();
      Map<String, Pending> byId = new HashMap<>();
      List<BulkResponseItem> items = response.items();
      for (int i = 0; i < items.size(); i++) {
        BulkResponseItem item = items.get(i);
        Pending p = todo.get(i);
        int status = item.status();
        if (status == 201 || status == 200) {
          unrefreshed.put(p.id(), new Written(p.index(), System.nanoTime()));
          created++;
        } else if (status == 409) {
          conflicts.add(new String[] {p.index(), p.id()});
          byId.put(p.id(), p);
        } else if (status == 429 || status >= 500) {
          again.add(p);
        } else {
          String why =
              item.error() == null
                  ? "status " + status
                  : item.error().type() + ": " + item.error().reason();
          judge.refuse(p.a(), "(event): the OpenSearch cluster refused the document: " + why, now);
        }
      }
      Map<String, StoredVersion> recorded = get(conflicts, judge);
      for (String[] c : conflicts) {
        StoredVersion first = recorded.get(c[1]);
        if (first == null) {
          again.add(byId.get(c[1])); // deleted meanwhile (retention): try once more
        } else {
          judge.duplicate(byId.get(c[1]).a(), first, now);
        }
      }
      if (!again.isEmpty()) {
        unavailable = "OpenSearch rejected " + again.size() + " writes for now; retrying";
        judge.keepAlive();
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
      } else {
        unavailable = null;
      }
      todo = again;
    }
    return created;
  }

  /** A request to the cluster. */
  private interface Call<T> {
    T send() throws IOException, Busy;
  }

  /** The cluster answered that it cannot take the request now (429, 5xx). */
  private static final class Busy extends Exception {
    Busy(String why) {
      super(why, null, false, false);
    }
  }

  /** A JSON request: 2xx is the answer, 429 and 5xx are waited out, anything else is fatal. */
  private JsonNode json(String what, java.util.function.Supplier<Cluster.Reply> send, Judge judge)
      throws InterruptedException {
    return retrying(
        what,
        () -> {
          Cluster.Reply r = send.get();
          if (r.ok()) {
            return r.json();
          }
          if (r.status() == 429 || r.status() >= 500) {
            throw new Busy(r.error());
          }
          throw new ClusterException(what + " failed: " + r.error());
        },
        judge);
  }

  /**
   * Sends until the cluster answers: an unreachable or overloaded cluster is waited for (readiness
   * says so), anything else is fatal.
   */
  private <T> T retrying(String what, Call<T> call, Judge judge) throws InterruptedException {
    long backoff = 200;
    while (true) {
      String why;
      try {
        T reply = call.send();
        unavailable = null;
        return reply;
      } catch (Busy e) {
        why = e.getMessage();
      } catch (OpenSearchException e) {
        if (e.status() != 429 && e.status() < 500) {
          throw new ClusterException(what + " failed: " + e.getMessage(), e);
        }
        why = e.getMessage();
      } catch (IOException e) {
        why = e.toString();
      } catch (ClusterException e) {
        if (!(e.getCause() instanceof IOException)) {
          throw e;
        }
        why = e.getMessage();
      }
      if (unavailable == null) {
        log.warn("opensearch unavailable ({}), retrying while the consumer waits: {}", what, why);
        unavailableSince = clock.instant();
        lastReport = System.nanoTime();
      } else if (System.nanoTime() - lastReport > REPORT_EVERY.toNanos()) {
        log.warn("opensearch still unavailable ({}) since {}: {}", what, unavailableSince, why);
        lastReport = System.nanoTime();
      }
      unavailable = "OpenSearch unavailable since " + unavailableSince + ": " + why;
      judge.keepAlive();
      Thread.sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
    }
  }

  @Override
  public void commit(Map<String, Long> offsets) {
    // Every write before these offsets was acknowledged; the loop commits them to the group. A log
    // that stopped growing still gets its checkpoint within the interval: made here, tried once,
    // and again at the next commit if the cluster cannot take it now.
    if (evidence != null && evidence.checkpointDue(clock.instant()) && evidence.lock().tryLock()) {
      try {
        evidence.persist(clock.instant(), ops -> writeAll(ops, null));
      } catch (Exception e) {
        log.warn("checkpoints not written yet: {}", e.toString());
      } finally {
        evidence.lock().unlock();
      }
    }
  }

  @Override
  public boolean wantsCommit(Instant now) {
    return evidence != null && evidence.checkpointDue(now);
  }

  @Override
  public void close() {
    if (publisher != null) {
      publisher.close();
    }
  }

  /**
   * Writes evidence documents until each is done (tiles and checkpoints overwrite; a log's document
   * is written at its size with {@code external_gte}, so a state older than the cluster's is
   * refused and that is fine). With no judge (from a commit), one attempt: a failure is thrown.
   */
  private void writeAll(List<ClusterEvidence.Op> ops, Judge judge) throws Exception {
    String index = names.evidenceIndex();
    long backoff = 200;
    List<ClusterEvidence.Op> todo = ops;
    while (!todo.isEmpty()) {
      List<BulkOperation> bulk = new ArrayList<>(todo.size());
      for (ClusterEvidence.Op op : todo) {
        byte[] doc = dev.mcpaudit.schema.event.EventCodec.mapper().writeValueAsBytes(op.doc());
        if (op.version() >= 0) {
          bulk.add(
              BulkOperation.of(
                  o ->
                      o.index(
                          i ->
                              i.index(index)
                                  .id(op.id())
                                  .version(op.version())
                                  .versionType(
                                      org.opensearch.client.opensearch._types.VersionType
                                          .ExternalGte)
                                  .document(new RawJson(doc)))));
        } else {
          bulk.add(
              BulkOperation.of(
                  o -> o.index(i -> i.index(index).id(op.id()).document(new RawJson(doc)))));
        }
      }
      BulkResponse response =
          judge == null
              ? cluster.client().bulk(b -> b.operations(bulk))
              : retrying(
                  "evidence bulk", () -> cluster.client().bulk(b -> b.operations(bulk)), judge);
      List<ClusterEvidence.Op> again = new ArrayList<>();
      for (int i = 0; i < response.items().size(); i++) {
        BulkResponseItem item = response.items().get(i);
        int status = item.status();
        if (status == 409 && todo.get(i).version() >= 0) {
          continue; // the cluster holds a newer state of this log already
        }
        if (status == 429 || status >= 500) {
          again.add(todo.get(i));
        } else if (status >= 300) {
          throw new ClusterException(
              "writing evidence "
                  + todo.get(i).id()
                  + " failed: "
                  + (item.error() == null ? "status " + status : item.error().reason()));
        }
      }
      if (!again.isEmpty()) {
        if (judge == null) {
          throw new ClusterException(
              "the cluster could not take " + again.size() + " evidence writes now");
        }
        judge.keepAlive();
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
      }
      todo = again;
    }
  }

  /**
   * Forgets the writes an explicit refresh made searchable: the lookup's search finds them from now
   * on.
   */
  @Override
  public void afterPoll() {
    if (unrefreshed.size() > MAX_UNREFRESHED
        || System.nanoTime() - lastRefresh > refreshEvery.toNanos()) {
      refresh();
    }
  }

  @Override
  public void partitionsAssigned() {
    refresh(); // what the partitions' previous owner wrote becomes searchable before we look
    if (evidence != null) {
      evidence.forget(); // and its logs are read from the cluster again
    }
  }

  /**
   * Best effort: while the cluster is away the writes stay remembered, and the next poll's write
   * waits for the cluster anyway.
   */
  private void refresh() {
    long started = System.nanoTime();
    try {
      Cluster.Reply r =
          cluster.send(
              "POST",
              "/"
                  + names.decisionsPattern()
                  + "/_refresh?ignore_unavailable=true&allow_no_indices=true",
              (byte[]) null);
      if (r.ok()) {
        // Only what was written before the refresh began is surely searchable now.
        unrefreshed.values().removeIf(w -> w.at() < started);
        lastRefresh = System.nanoTime();
        return;
      }
      log.warn("opensearch refresh failed: {}", r.error());
    } catch (ClusterException e) {
      log.warn("opensearch refresh failed: {}", e.getMessage());
    }
  }

  private String tooOld(Instant occurred) {
    return "(event): occurred_at "
        + occurred
        + " is older than indexer.retention ("
        + dev.mcpaudit.runtime.config.ConfigKey.written(retention)
        + "): with index.backend=opensearch such a record would open a daily index only to have it"
        + " deleted (docs/opensearch.md)";
  }
}
