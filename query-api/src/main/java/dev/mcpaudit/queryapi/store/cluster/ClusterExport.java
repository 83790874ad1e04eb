package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.store.ExportRows;
import dev.mcpaudit.queryapi.store.ExportStream;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An export over one point-in-time view of the cluster: pages of {@link #PAGE} events oldest first,
 * resumed with {@code search_after}, the next page fetched while the current one is written, so
 * memory holds two pages whatever the export's size. Ties are broken by event id and then tenant,
 * which together name one record.
 */
final class ClusterExport implements ExportStream {
  static final int PAGE = 1_000;

  /** How long the cluster keeps the view between two pages. */
  private static final String KEEP_ALIVE = "5m";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static final String PARTITION =
      dev.mcpaudit.opensearch.DecisionMapping.path(IndexSchema.KAFKA_PARTITION);

  private final ClusterReads reads;
  private final String decisions;
  private final ObjectNode query;
  private final List<String> sortFields;

  ClusterExport(ClusterReads reads, String decisionsPattern, ObjectNode query) {
    this(
        reads,
        decisionsPattern,
        query,
        List.of(IndexSchema.OCCURRED_AT, IndexSchema.EVENT_ID, IndexSchema.TENANT));
  }

  /**
   * @param sortFields ascending, together naming one document (a range bundle's records sort by
   *     their place in the log alone)
   */
  ClusterExport(
      ClusterReads reads, String decisionsPattern, ObjectNode query, List<String> sortFields) {
    this.reads = reads;
    this.decisions = decisionsPattern;
    this.query = query;
    this.sortFields = List.copyOf(sortFields);
  }

  @Override
  public long writeTo(ExportRows rows) throws IOException {
    // Nothing to read (no match, or no daily index yet on a fresh deployment): no view to open.
    ObjectNode probe = F.objectNode();
    probe.set("query", query);
    probe.put("size", 0);
    probe.put("track_total_hits", 1);
    if (reads.search(decisions, probe).total() == 0) {
      return 0;
    }
    JsonNode opened =
        reads.call(
            "POST",
            "/"
                + decisions
                + "/_search/point_in_time?keep_alive="
                + KEEP_ALIVE
                + "&allow_partial_pit_creation=false",
            F.objectNode());
    String pit = opened.path("pit_id").asText(null);
    if (pit == null) {
      throw new IndexUnavailable("the OpenSearch cluster opened no point in time for the export");
    }
    try (ExecutorService ahead = Executors.newVirtualThreadPerTaskExecutor()) {
      long written = 0;
      SearchAnswer page = page(pit, null);
      while (true) {
        int n = page.hits().size();
        JsonNode last = n == 0 ? null : page.hits().get(n - 1).sort();
        CompletableFuture<SearchAnswer> next =
            n < PAGE ? null : CompletableFuture.supplyAsync(() -> page(pit, last), ahead);
        boolean positions = rows.wantsPositions();
        for (SearchAnswer.Hit h : page.hits()) {
          if (positions) {
            rows.write(
                h.record(),
                h.provenance(),
                (int) h.number(PARTITION, -1),
                h.number(IndexSchema.EVIDENCE_LEAF, -1));
          } else {
            rows.write(h.record(), h.provenance());
          }
          written++;
        }
        if (next == null) {
          return written;
        }
        page = join(next);
      }
    } finally {
      close(pit);
    }
  }

  private SearchAnswer page(String pit, JsonNode after) {
    ObjectNode body = F.objectNode();
    body.set("query", query);
    body.put("size", PAGE);
    body.put("track_total_hits", false);
    body.putObject("pit").put("id", pit).put("keep_alive", KEEP_ALIVE);
    ArrayNode sort = body.putArray("sort");
    for (String f : sortFields) {
      sort.addObject().putObject(f).put("order", "asc");
    }
    if (after != null) {
      body.set("search_after", after);
    }
    return reads.untimedSearch(body);
  }

  private static SearchAnswer join(CompletableFuture<SearchAnswer> next) {
    try {
      return next.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /** Frees the view at once rather than when its keep-alive runs out. */
  private void close(String pit) {
    try {
      ObjectNode body = F.objectNode();
      body.putArray("pit_id").add(pit);
      reads.call("DELETE", "/_search/point_in_time", body);
    } catch (RuntimeException e) {
      // the cluster drops it at the keep-alive anyway
    }
  }
}
