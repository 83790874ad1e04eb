package dev.mcpaudit.queryapi.evidence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.ExportRows;
import dev.mcpaudit.queryapi.store.ExportStream;
import dev.mcpaudit.queryapi.store.LeafRange;
import dev.mcpaudit.queryapi.store.LeafSpan;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.schema.evidence.Bundle;
import dev.mcpaudit.schema.evidence.BundleWriter;
import dev.mcpaudit.schema.evidence.CompactRange;
import dev.mcpaudit.schema.evidence.KeySet;
import dev.mcpaudit.schema.evidence.NodeCache;
import dev.mcpaudit.schema.evidence.SigningKey;
import dev.mcpaudit.schema.evidence.TreeProofs;
import dev.mcpaudit.schema.evidence.VerifierKey;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evidence bundles (README, "Evidence bundles"): a tenant's records with their inclusion proofs,
 * the signed checkpoints they are proven against and a signed manifest, in one archive an auditor
 * checks offline with {@code mcp-audit verify}. A <em>filtered</em> bundle holds what a query
 * matched (each record genuine, nothing said about what was not matched); a <em>range</em> bundle
 * holds whole leaf ranges of the tenant's logs with what ties each range to its checkpoints
 * (genuine and complete). Everything that can refuse a request is checked when a bundle is
 * prepared, before the first byte goes out.
 */
public final class EvidenceBundles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EventStore store;
  private final EvidenceReader reader;
  private final SigningKey key;
  private final List<VerifierKey> keys;
  private final Path tempDir;
  private final Clock clock;

  public EvidenceBundles(
      EventStore store,
      EvidenceReader reader,
      SigningKey key,
      List<VerifierKey> keys,
      Path tempDir,
      Clock clock) {
    this.store = store;
    this.reader = reader;
    this.key = key;
    this.keys = List.copyOf(keys);
    this.tempDir = tempDir;
    this.clock = clock;
  }

  /** A bundle checked and ready to stream. */
  public interface Prepared {
    /**
     * @return the records written
     */
    long writeTo(OutputStream out) throws IOException;
  }

  /** A request that cannot be bundled: the parameter and why (the HTTP layer's 400 or 404). */
  public static final class Refused extends RuntimeException {
    private final boolean notFound;

    Refused(String message, boolean notFound) {
      super(message, null, false, false);
      this.notFound = notFound;
    }

    public boolean notFound() {
      return notFound;
    }
  }

  /** The records {@code query} matches among the scope's one tenant, each with its proof. */
  public Prepared filtered(TenantScope scope, EventQuery query, ObjectNode described) {
    return filtered(scope, List.of(query), described, Map.of());
  }

  /**
   * The records each of {@code queries} matches, one query after the other (queries that match
   * disjoint records, like the chunks of a long list of event ids).
   */
  public Prepared filtered(
      TenantScope scope,
      List<EventQuery> queries,
      ObjectNode described,
      Map<String, byte[]> extraFiles) {
    String tenant = scope.tenant().orElseThrow();
    Map<Integer, EvidenceReader.Kept> latest = new LinkedHashMap<>();
    for (LogId log : reader.logs(tenant)) {
      reader.latest(log).ifPresent(k -> latest.put(log.partition(), k));
    }
    List<ExportStream> matches = new ArrayList<>();
    for (EventQuery query : queries) {
      matches.add(store.export(scope, query, false));
    }
    return out -> {
      try (BundleWriter w = new BundleWriter(out, tempDir);
          Provers provers = new Provers(tenant, latest)) {
        start(w, latest);
        for (Map.Entry<String, byte[]> f : extraFiles.entrySet()) {
          w.file(f.getKey(), f.getValue());
        }
        long[] left = new long[2];
        ExportRows rows =
            (Positioned)
                (json, p, partition, leaf) -> {
                  EvidenceReader.Kept cp = latest.get(partition);
                  if (leaf < 0) {
                    left[0]++;
                  } else if (cp == null || leaf >= cp.checkpoint().size()) {
                    left[1]++;
                  } else {
                    record(w, json, p, partition, leaf, provers.inclusion(partition, leaf));
                  }
                };
        for (ExportStream m : matches) {
          m.writeTo(rows);
        }
        ObjectNode m = manifest(scope, Bundle.FILTERED, described);
        m.putObject("left_out").put("in_no_log", left[0]).put("not_yet_checkpointed", left[1]);
        w.finish(m, key);
        return w.records();
      }
    };
  }

  /**
   * Whole leaf ranges: per log of the tenant, from the first to the last leaf among the records of
   * {@code query}'s time range (widened to leaf boundaries, so records of other times logged in
   * between are in it too), up to the log's latest checkpoint.
   */
  public Prepared range(TenantScope scope, EventQuery query, ObjectNode described) {
    String tenant = scope.tenant().orElseThrow();
    List<Span> spans = new ArrayList<>();
    for (LeafSpan s : store.leafSpans(scope, query)) {
      LogId log = new LogId(tenant, s.partition());
      Optional<EvidenceReader.Kept> cp = reader.latest(log);
      if (cp.isEmpty() || s.first() >= cp.get().checkpoint().size()) {
        continue; // nothing of it is checkpointed yet
      }
      long to = Math.min(s.last() + 1, cp.get().checkpoint().size());
      spans.add(new Span(s.partition(), s.first(), to, cp.get(), null));
    }
    return ranged(scope, spans, described);
  }

  /**
   * Leaves {@code [fromSize, toSize)} of one log: between two of its checkpoints ({@code fromSize}
   * 0 for the log's start).
   */
  public Prepared between(
      TenantScope scope, int partition, long fromSize, long toSize, ObjectNode described) {
    String tenant = scope.tenant().orElseThrow();
    List<EvidenceReader.Kept> all = reader.checkpoints(new LogId(tenant, partition));
    EvidenceReader.Kept end = at(all, toSize, "to_size");
    EvidenceReader.Kept start = fromSize == 0 ? null : at(all, fromSize, "from_size");
    return ranged(scope, List.of(new Span(partition, fromSize, toSize, end, start)), described);
  }

  private static EvidenceReader.Kept at(List<EvidenceReader.Kept> all, long size, String name) {
    return all.stream()
        .filter(k -> k.checkpoint().size() == size)
        .reduce((a, b) -> b)
        .orElseThrow(
            () ->
                new Refused(
                    name
                        + ": the log has no checkpoint of "
                        + size
                        + " leaves (see /evidence/logs)",
                    true));
  }

  /** One log's range: leaves [from, to) proven against {@code end}, starting at {@code start}. */
  private record Span(
      int partition, long from, long to, EvidenceReader.Kept end, EvidenceReader.Kept start) {}

  private Prepared ranged(TenantScope scope, List<Span> spans, ObjectNode described) {
    String tenant = scope.tenant().orElseThrow();
    Map<Integer, EvidenceReader.Kept> ends = new LinkedHashMap<>();
    ArrayNode ranges = JSON.createArrayNode();
    for (Span s : spans) {
      LeafRange leaves = store.leaves(scope, s.partition, s.from, s.to);
      long held = leaves.count();
      if (held != s.to - s.from) {
        throw new Refused(
            "the index holds "
                + held
                + " of the "
                + (s.to - s.from)
                + " records of leaves "
                + s.from
                + " to "
                + (s.to - 1)
                + " of partition "
                + s.partition
                + " (records indexed before the index kept their place in the log cannot be"
                + " read by leaf); export a filtered bundle instead",
            false);
      }
      ends.put(s.partition, s.end);
      long size = s.end.checkpoint().size();
      try (EvidenceReader.Nodes nodes = reader.nodes(new LogId(tenant, s.partition), size)) {
        ObjectNode r = ranges.addObject();
        r.put("partition", s.partition);
        r.put("origin", s.end.checkpoint().origin());
        r.put("from_leaf", s.from);
        r.put("to_leaf", s.to);
        ArrayNode left = r.putArray("left");
        CompactRange.of(s.from, nodes).hashes().forEach(h -> left.add(b64(h)));
        ArrayNode consistency = r.putArray("consistency");
        if (s.to > 0 && s.to < size) {
          new TreeProofs(nodes).consistency(s.to, size).forEach(h -> consistency.add(b64(h)));
        }
        if (s.start != null) {
          r.put("start_checkpoint", s.start.note());
        }
      }
    }
    byte[] rangeJson;
    try {
      rangeJson =
          JSON.writerWithDefaultPrettyPrinter()
              .writeValueAsBytes(JSON.createObjectNode().set("logs", ranges));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out -> {
      try (BundleWriter w = new BundleWriter(out, tempDir);
          Provers provers = new Provers(tenant, ends)) {
        start(w, ends);
        w.file(Bundle.RANGE, rangeJson);
        for (Span s : spans) {
          long[] next = {s.from};
          store
              .leaves(scope, s.partition, s.from, s.to)
              .writeTo(
                  (Positioned)
                      (json, p, partition, leaf) -> {
                        if (leaf != next[0]) {
                          // The index changed under the export: a short file must not look whole.
                          throw new IOException(
                              "leaf "
                                  + next[0]
                                  + " of partition "
                                  + partition
                                  + " is not in the index");
                        }
                        next[0]++;
                        record(w, json, p, partition, leaf, provers.inclusion(partition, leaf));
                      });
          if (next[0] != s.to) {
            throw new IOException(
                "the index ended at leaf "
                    + next[0]
                    + " of partition "
                    + s.partition
                    + ", not "
                    + s.to);
          }
        }
        w.finish(manifest(scope, Bundle.RANGE_KIND, described), key);
        return w.records();
      }
    };
  }

  /** Rows with their place in the evidence logs, which is all a bundle reads. */
  @FunctionalInterface
  private interface Positioned extends ExportRows {
    void row(byte[] json, Provenance p, int partition, long leaf) throws IOException;

    @Override
    default boolean wantsPositions() {
      return true;
    }

    @Override
    default void write(byte[] json, Provenance p) {
      throw new IllegalStateException("bundles read positions");
    }

    @Override
    default void write(byte[] json, Provenance p, int partition, long leaf) throws IOException {
      row(json, p, partition, leaf);
    }
  }

  private void start(BundleWriter w, Map<Integer, EvidenceReader.Kept> checkpoints)
      throws IOException {
    StringBuilder k = new StringBuilder();
    keys.forEach(v -> k.append(KeySet.line(v)).append('\n'));
    VerifierKey own = key.verifier();
    if (!keys.contains(own)) {
      k.append(KeySet.line(own)).append('\n');
    }
    w.file(Bundle.KEYS, k.toString().getBytes(StandardCharsets.UTF_8));
    StringBuilder c = new StringBuilder();
    for (Map.Entry<Integer, EvidenceReader.Kept> e : checkpoints.entrySet()) {
      ObjectNode line = JSON.createObjectNode();
      line.put("partition", e.getKey());
      line.put("origin", e.getValue().checkpoint().origin());
      line.put("size", e.getValue().checkpoint().size());
      line.put("note", e.getValue().note());
      c.append(line).append('\n');
    }
    w.file(Bundle.CHECKPOINTS, c.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void record(
      BundleWriter w, byte[] json, Provenance p, int partition, long leaf, List<byte[]> path)
      throws IOException {
    Provenance prov = p == null ? Provenance.kafka() : p;
    w.record(json, partition, leaf, prov.kind(), prov.by(), path);
  }

  private ObjectNode manifest(TenantScope scope, String kind, ObjectNode described) {
    ObjectNode m = JSON.createObjectNode();
    m.put("kind", kind);
    m.put("tenant", scope.tenant().orElseThrow());
    m.set("request", described);
    m.put("caller", scope.caller().principal());
    m.put("created_at", Rfc3339.format(clock.instant()));
    m.put(
        "proves",
        Bundle.RANGE_KIND.equals(kind)
            ? "each record is the log's, and each range holds every record of its log there"
            : "each record is the log's; not that every record the query matches is here");
    return m;
  }

  /** Inclusion proofs against each log's checkpoint, over stored nodes read once per bundle. */
  private final class Provers implements AutoCloseable {
    private final String tenant;
    private final Map<Integer, EvidenceReader.Kept> checkpoints;
    private final Map<Integer, TreeProofs> open = new HashMap<>();
    private final List<EvidenceReader.Nodes> held = new ArrayList<>();

    Provers(String tenant, Map<Integer, EvidenceReader.Kept> checkpoints) {
      this.tenant = tenant;
      this.checkpoints = checkpoints;
    }

    List<byte[]> inclusion(int partition, long leaf) {
      long size = checkpoints.get(partition).checkpoint().size();
      TreeProofs p =
          open.computeIfAbsent(
              partition,
              k -> {
                EvidenceReader.Nodes n = reader.nodes(new LogId(tenant, k), size);
                held.add(n);
                return new TreeProofs(new NodeCache(n));
              });
      return p.inclusion(leaf, size);
    }

    @Override
    public void close() {
      held.forEach(EvidenceReader.Nodes::close);
    }
  }

  private static String b64(byte[] h) {
    return Base64.getEncoder().encodeToString(h);
  }
}
