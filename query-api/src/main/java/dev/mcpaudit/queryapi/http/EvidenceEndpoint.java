package dev.mcpaudit.queryapi.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.evidence.EvidenceBundles;
import dev.mcpaudit.queryapi.evidence.EvidenceReader;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.StoredEvent;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.schema.evidence.Bundle;
import dev.mcpaudit.schema.evidence.EvidenceCheck;
import dev.mcpaudit.schema.evidence.LeafForm;
import dev.mcpaudit.schema.evidence.SigningKey;
import dev.mcpaudit.schema.evidence.VerifierKey;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The evidence routes (README, "Verifiable evidence"): the public keys checkpoints are signed with,
 * a record's inclusion proof against its log's latest checkpoint, the consistency proof between two
 * sizes of a log, and a tenant's logs with their latest checkpoints. Proofs are for auditors and
 * scoped to the caller's tenants like every read; everything answered is what the index's last
 * commit holds.
 */
final class EvidenceEndpoint {
  /** How long a client waits before asking again for a record no checkpoint covers yet. */
  private static final String RETRY_AFTER = "5";

  private final ApiAuth auth;
  private final EventStore store;
  private final ExportEndpoint exports;
  private final Clock clock;
  private EvidenceReader reader;
  private List<VerifierKey> keys = List.of();
  private EvidenceBundles bundles;
  private EvidenceReader alertLogs;

  EvidenceEndpoint(ApiAuth auth, EventStore store, ExportEndpoint exports, Clock clock) {
    this.auth = auth;
    this.store = store;
    this.exports = exports;
    this.clock = clock;
  }

  void serve(EvidenceReader reader, List<VerifierKey> keys, SigningKey bundleKey) {
    this.reader = reader;
    List<VerifierKey> all = new ArrayList<>(keys);
    if (bundleKey != null && !all.contains(bundleKey.verifier())) {
      all.add(bundleKey.verifier()); // auditors fetch every key a bundle needs from one place
    }
    this.keys = List.copyOf(all);
    this.bundles =
        bundleKey == null
            ? null
            : new EvidenceBundles(
                store,
                reader,
                bundleKey,
                this.keys,
                Path.of(System.getProperty("java.io.tmpdir")),
                clock);
  }

  /** The alert logs the indexer keeps beside the alerts index. */
  void serveAlerts(EvidenceReader alertLogs) {
    this.alertLogs = alertLogs;
  }

  /**
   * {@code GET /evidence/export}: an evidence bundle of one tenant (README, "Evidence bundles").
   * {@code kind=filtered} (the default): what {@code q} matches in {@code from}..{@code to}, each
   * with its proof. {@code kind=range}: whole leaf ranges, either of the time range (widened to
   * leaf boundaries) or, with {@code partition}, between the checkpoints of {@code from_size} and
   * {@code to_size}. Streamed under the export limits.
   */
  void bundle(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.AUDITOR, "api.evidence.export");
    String tenant = requiredTenant(scope);
    reader();
    if (bundles == null) {
      throw notFound("this API makes no evidence bundles: api.bundle-signing-key is not set");
    }
    String kind = ctx.queryParam("kind") == null ? Bundle.FILTERED : ctx.queryParam("kind");
    String q = ctx.queryParam("q");
    ObjectNode described = JSON.createObjectNode();
    EvidenceBundles.Prepared bundle;
    try {
      String alert = ctx.queryParam("alert");
      if (alert != null) {
        if (!Bundle.FILTERED.equals(kind) || (q != null && !q.isBlank())) {
          throw ProblemException.badRequest(
              "alert: a bundle of an alert's evidence takes neither q nor kind=range");
        }
        String alertId = Params.eventId("alert", alert);
        if (alertId == null) {
          throw ProblemException.badRequest("alert: is empty");
        }
        bundle = alertBundle(scope, alertId, described);
      } else if (Bundle.FILTERED.equals(kind)) {
        TimeRange range = Params.range(ctx, clock);
        describe(described, q, range);
        bundle = bundles.filtered(scope, new EventQuery(q, range), described);
      } else if (Bundle.RANGE_KIND.equals(kind)) {
        if (q != null && !q.isBlank()) {
          throw ProblemException.badRequest(
              "q: a range bundle holds whole leaf ranges; filter with kind=filtered");
        }
        if (ctx.queryParam("partition") != null) {
          int partition =
              (int) number("partition", ctx.queryParam("partition"), 0, Integer.MAX_VALUE);
          long from =
              ctx.queryParam("from_size") == null
                  ? 0
                  : number("from_size", ctx.queryParam("from_size"), 0, Long.MAX_VALUE);
          long to = number("to_size", ctx.queryParam("to_size"), 1, Long.MAX_VALUE);
          if (from >= to) {
            throw ProblemException.badRequest("from_size: must be smaller than to_size");
          }
          described.put("partition", partition).put("from_size", from).put("to_size", to);
          bundle = bundles.between(scope, partition, from, to, described);
        } else {
          TimeRange range = Params.range(ctx, clock);
          describe(described, null, range);
          bundle = bundles.range(scope, new EventQuery(null, range), described);
        }
      } else {
        throw ProblemException.badRequest(
            "kind: one of filtered, range; got '" + Params.shown(kind) + "'");
      }
    } catch (EvidenceBundles.Refused r) {
      throw r.notFound()
          ? notFound(r.getMessage())
          : new ProblemException(Problem.of(409, "Conflict", r.getMessage()), Map.of());
    }
    exports.streamGated(
        ctx,
        scope.caller(),
        "application/zip",
        "mcp-audit-evidence-" + tenant.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + kind + ".zip",
        "bundle-" + kind,
        bundle::writeTo);
  }

  /**
   * The evidence events of an alert, each with its proof; the manifest names the alert and its
   * evidence, so the verifier can say which of them the bundle holds.
   */
  private EvidenceBundles.Prepared alertBundle(
      TenantScope scope, String alertId, ObjectNode described) {
    JsonNode alert =
        store
            .alert(scope, alertId)
            .orElseThrow(
                () -> notFound("no alert '" + alertId + "' in the tenants this token sees"));
    ObjectNode a = described.putObject("alert");
    a.put("alert_id", alertId);
    a.put("type", alert.path("type").asText());
    a.put("detected_at", alert.path("detected_at").asText());
    a.put("summary", alert.path("summary").asText());
    ArrayNode ids = a.putArray("evidence");
    List<EventQuery> chunks = new ArrayList<>();
    StringBuilder q = new StringBuilder();
    TimeRange always = new TimeRange(TimeRange.EARLIEST, TimeRange.LATEST);
    for (JsonNode id : alert.path("evidence")) {
      ids.add(id.asText());
      String term = "\"" + id.asText().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
      if (q.length() + term.length() + 20 > EventQuery.MAX_Q) {
        chunks.add(new EventQuery("event_id:(" + q + ")", always));
        q.setLength(0);
      }
      q.append(q.isEmpty() ? "" : " OR ").append(term);
    }
    if (!q.isEmpty()) {
      chunks.add(new EventQuery("event_id:(" + q + ")", always));
    }
    Map<String, byte[]> extra = new java.util.LinkedHashMap<>();
    ObjectNode own = alertProof(scope, alertId);
    if (own.has("format")) {
      extra.put(Bundle.ALERT_PROOF, own.toPrettyString().getBytes(StandardCharsets.UTF_8));
    } else {
      a.put("proof", own.path("none").asText());
    }
    return bundles.filtered(scope, chunks, described, extra);
  }

  /**
   * The alert's own inclusion proof in its tenant's alert log (the proof format of {@code
   * /evidence/proof}, with {@code alert_id}), or {@code {"none": why}}.
   */
  private ObjectNode alertProof(TenantScope scope, String alertId) {
    ObjectNode none = JSON.createObjectNode();
    if (alertLogs == null) {
      return none.put("none", "this API reads no alert logs");
    }
    Optional<dev.mcpaudit.queryapi.store.StoredAlert> stored = store.alertRecord(scope, alertId);
    if (stored.isEmpty() || stored.get().leaf() < 0) {
      return none.put("none", "the alert was recorded while the evidence log was off");
    }
    dev.mcpaudit.queryapi.store.StoredAlert s = stored.get();
    LogId log = new LogId(s.tenant(), s.partition());
    Optional<EvidenceReader.Kept> cp =
        alertLogs.latest(log).filter(k -> k.checkpoint().size() > s.leaf());
    if (cp.isEmpty()) {
      return none.put("none", "no checkpoint of its alert log covers it yet");
    }
    long size = cp.get().checkpoint().size();
    Provenance p = s.provenance() == null ? Provenance.kafka() : s.provenance();
    ObjectNode o = JSON.createObjectNode();
    o.put("format", EvidenceCheck.PROOF_FORMAT);
    o.put("alert_id", alertId);
    o.put("tenant", s.tenant());
    o.put("partition", s.partition());
    o.put("origin", cp.get().checkpoint().origin());
    o.put("leaf_index", s.leaf());
    o.put("tree_size", size);
    o.put("record", new String(s.source(), StandardCharsets.UTF_8));
    o.putObject("provenance").put("kind", p.kind()).put("by", p.by());
    o.put("leaf_hash", b64(LeafForm.hash(s.source(), p.kind(), p.by())));
    ArrayNode path = o.putArray("inclusion");
    alertLogs.inclusion(log, s.leaf(), size).forEach(h -> path.add(b64(h)));
    o.put("checkpoint", cp.get().note());
    o.put("checkpoint_time", Rfc3339.format(cp.get().checkpoint().time()));
    return o;
  }

  private static void describe(ObjectNode d, String q, TimeRange range) {
    if (q != null) {
      d.put("q", q);
    }
    d.put("from", Rfc3339.format(range.from()));
    d.put("to", Rfc3339.format(range.to()));
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  record KeyView(
      @JsonProperty("key_id") String keyId,
      String name,
      String algorithm,
      String vkey,
      @JsonProperty("not_before") Optional<String> notBefore,
      @JsonProperty("not_after") Optional<String> notAfter) {}

  record Keys(List<KeyView> keys) {}

  record ProvenanceView(String kind, Optional<String> by) {}

  record Proof(
      String format,
      @JsonProperty("event_id") String eventId,
      String tenant,
      int partition,
      String origin,
      @JsonProperty("leaf_index") long leafIndex,
      @JsonProperty("tree_size") long treeSize,
      String record,
      ProvenanceView provenance,
      @JsonProperty("leaf_hash") String leafHash,
      List<String> inclusion,
      String checkpoint,
      @JsonProperty("checkpoint_time") String checkpointTime) {}

  record Consistency(
      String format,
      String tenant,
      int partition,
      String origin,
      @JsonProperty("from_size") long fromSize,
      @JsonProperty("to_size") long toSize,
      @JsonProperty("from_checkpoint") Optional<String> fromCheckpoint,
      @JsonProperty("to_checkpoint") Optional<String> toCheckpoint,
      List<String> proof) {}

  record CheckpointView(long size, String time, String note) {}

  record LogView(int partition, String origin, long size, Optional<CheckpointView> latest) {}

  record Logs(String tenant, List<LogView> logs) {}

  void keys(Context ctx) {
    auth.require(ctx, Role.ANALYST, "api.evidence.keys");
    List<KeyView> out = new ArrayList<>();
    for (VerifierKey k : keys) {
      out.add(
          new KeyView(
              k.id(),
              k.name(),
              "ed25519",
              k.text(),
              Optional.ofNullable(k.notBefore()).map(Rfc3339::format),
              Optional.ofNullable(k.notAfter()).map(Rfc3339::format)));
    }
    ctx.json(new Keys(out));
  }

  void proof(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.AUDITOR, "api.evidence.proof");
    String id = Params.eventId("event_id", ctx.pathParam("event_id"));
    EvidenceReader logs = reader();
    StoredEvent e =
        store
            .event(scope, id)
            .orElseThrow(() -> notFound("no event '" + id + "' in the tenants this token sees"));
    String tenant = e.event().path("tenant").asText();
    if (e.leaf() < 0 || e.source() == null) {
      throw notFound(
          "event '" + id + "' is in no evidence log: it was indexed while the log was off");
    }
    LogId log = new LogId(tenant, e.partition());
    EvidenceReader.Kept cp =
        logs.latest(log)
            .filter(k -> k.checkpoint().size() > e.leaf())
            .orElseThrow(
                () ->
                    new ProblemException(
                        Problem.of(
                            409,
                            "Conflict",
                            "event '"
                                + id
                                + "' is leaf "
                                + e.leaf()
                                + " of its log, which no checkpoint covers yet; ask again shortly"),
                        Map.of("Retry-After", RETRY_AFTER)));
    long size = cp.checkpoint().size();
    Provenance p = e.provenance().orElse(Provenance.kafka());
    ctx.json(
        new Proof(
            EvidenceCheck.PROOF_FORMAT,
            id,
            tenant,
            e.partition(),
            cp.checkpoint().origin(),
            e.leaf(),
            size,
            new String(e.source(), StandardCharsets.UTF_8),
            new ProvenanceView(p.kind(), Optional.ofNullable(p.by())),
            b64(LeafForm.hash(e.source(), p.kind(), p.by())),
            logs.inclusion(log, e.leaf(), size).stream().map(EvidenceEndpoint::b64).toList(),
            cp.note(),
            Rfc3339.format(cp.checkpoint().time())));
  }

  void consistency(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.AUDITOR, "api.evidence.consistency");
    String tenant = requiredTenant(scope);
    int partition = (int) number("partition", ctx.queryParam("partition"), 0, Integer.MAX_VALUE);
    long from = number("from_size", ctx.queryParam("from_size"), 1, Long.MAX_VALUE);
    long to = number("to_size", ctx.queryParam("to_size"), 1, Long.MAX_VALUE);
    if (from > to) {
      throw ProblemException.badRequest("from_size: must not be greater than to_size");
    }
    EvidenceReader logs = reader();
    LogId log = new LogId(tenant, partition);
    long size = logs.size(log);
    if (to > size) {
      throw notFound(
          "to_size: the log of tenant '"
              + tenant
              + "' partition "
              + partition
              + " holds "
              + size
              + " committed leaves");
    }
    List<EvidenceReader.Kept> all = logs.checkpoints(log);
    ctx.json(
        new Consistency(
            EvidenceCheck.CONSISTENCY_FORMAT,
            tenant,
            partition,
            all.isEmpty() ? "" : all.getFirst().checkpoint().origin(),
            from,
            to,
            noteAt(all, from),
            noteAt(all, to),
            logs.consistency(log, from, to).stream().map(EvidenceEndpoint::b64).toList()));
  }

  void logs(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.AUDITOR, "api.evidence.logs");
    String tenant = requiredTenant(scope);
    EvidenceReader logs = reader();
    List<LogView> out = new ArrayList<>();
    for (LogId log : logs.logs(tenant)) {
      Optional<EvidenceReader.Kept> latest = logs.latest(log);
      out.add(
          new LogView(
              log.partition(),
              latest.map(k -> k.checkpoint().origin()).orElse(""),
              logs.size(log),
              latest.map(
                  k ->
                      new CheckpointView(
                          k.checkpoint().size(),
                          Rfc3339.format(k.checkpoint().time()),
                          k.note()))));
    }
    ctx.json(new Logs(tenant, out));
  }

  /**
   * The latest checkpoint covering leaf {@code leaf} of a log, for the event view: its size and
   * time, or empty.
   */
  Optional<CheckpointView> covering(String tenant, int partition, long leaf) {
    if (reader == null || leaf < 0) {
      return Optional.empty();
    }
    return reader
        .latest(new LogId(tenant, partition))
        .filter(k -> k.checkpoint().size() > leaf)
        .map(
            k ->
                new CheckpointView(
                    k.checkpoint().size(), Rfc3339.format(k.checkpoint().time()), k.note()));
  }

  private static Optional<String> noteAt(List<EvidenceReader.Kept> all, long size) {
    return all.stream()
        .filter(k -> k.checkpoint().size() == size)
        .reduce((a, b) -> b)
        .map(EvidenceReader.Kept::note);
  }

  private EvidenceReader reader() {
    if (reader == null) {
      throw notFound("this API serves no evidence log: api.evidence-keys is not set");
    }
    return reader;
  }

  private static String requiredTenant(TenantScope scope) {
    return scope
        .tenant()
        .orElseThrow(() -> ProblemException.badRequest("tenant: is required (one tenant)"));
  }

  private static long number(String name, String text, long min, long max) {
    if (text == null || text.isBlank()) {
      throw ProblemException.badRequest(name + ": is required");
    }
    String t = text.strip();
    try {
      if (t.length() <= 19) {
        long n = Long.parseLong(t);
        if (n >= min && n <= max) {
          return n;
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ProblemException.badRequest(
        name + ": must be a whole number from " + min + ", got '" + Params.shown(text) + "'");
  }

  private static ProblemException notFound(String detail) {
    return new ProblemException(Problem.of(404, "Not Found", detail), Map.of());
  }

  private static String b64(byte[] h) {
    return Base64.getEncoder().encodeToString(h);
  }
}
