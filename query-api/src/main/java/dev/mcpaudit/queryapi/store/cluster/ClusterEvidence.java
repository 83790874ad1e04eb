package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.opensearch.EvidenceDocs;
import dev.mcpaudit.queryapi.evidence.EvidenceReader;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.MerkleHash;
import dev.mcpaudit.schema.evidence.PerfectNodes;
import dev.mcpaudit.schema.evidence.SignedNote;
import dev.mcpaudit.schema.evidence.TreeProofs;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The evidence logs on the cluster (README, "Verifiable evidence"; the indexer writes them, {@link
 * EvidenceDocs}): a log's size is its document's, and nothing past it is answered, since the tiles
 * below it were written before it. A cluster that cannot answer is {@link IndexUnavailable} (503),
 * as for every other question.
 */
public final class ClusterEvidence implements EvidenceReader {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** More checkpoints than this per log are not listed (the latest ones are). */
  private static final int MAX_CHECKPOINTS = 10_000;

  private final Cluster cluster;
  private final String index;

  private static final int KEPT_TILES = 1_024;

  public ClusterEvidence(Cluster cluster) {
    this.cluster = cluster;
    this.index = cluster.names().evidenceIndex();
  }

  @Override
  public List<LogId> logs(String tenant) {
    ObjectNode body = F.objectNode();
    body.put("size", 10_000);
    body.set("query", filter("log", tenant, -1));
    body.putArray("sort").addObject().put(EvidenceDocs.PARTITION, "asc");
    List<LogId> out = new ArrayList<>();
    for (JsonNode h : search(body)) {
      out.add(new LogId(tenant, h.path("_source").path(EvidenceDocs.PARTITION).asInt()));
    }
    return out;
  }

  @Override
  public long size(LogId log) {
    JsonNode doc = get(EvidenceDocs.logId(log));
    return doc == null ? 0 : doc.path(EvidenceDocs.SIZE).asLong();
  }

  @Override
  public List<Kept> checkpoints(LogId log) {
    long size = size(log);
    ObjectNode body = F.objectNode();
    body.put("size", MAX_CHECKPOINTS);
    ObjectNode q = filter("checkpoint", log.tenant(), log.partition());
    ((com.fasterxml.jackson.databind.node.ArrayNode) q.path("bool").path("filter"))
        .addObject()
        .putObject("range")
        .putObject(EvidenceDocs.SIZE)
        .put("lte", size);
    body.set("query", q);
    body.putArray("sort").addObject().put(EvidenceDocs.SIZE, "desc");
    List<Kept> out = new ArrayList<>();
    for (JsonNode h : search(body)) {
      String note = h.path("_source").path(EvidenceDocs.NOTE).path("text").asText();
      out.add(0, new Kept(Checkpoint.parse(SignedNote.parse(note).text()), note));
    }
    return out;
  }

  @Override
  public List<byte[]> inclusion(LogId log, long index, long size) {
    return proofs(log, size).inclusion(index, size);
  }

  @Override
  public List<byte[]> consistency(LogId log, long from, long to) {
    return proofs(log, to).consistency(from, to);
  }

  @Override
  public Nodes nodes(LogId log, long size) {
    if (size > size(log)) {
      throw new IllegalArgumentException("log " + log + " holds fewer than " + size + " leaves");
    }
    Tiles tiles = new Tiles(log, size);
    return new Nodes() {
      @Override
      public byte[] node(int level, long index) {
        return tiles.node(level, index);
      }

      @Override
      public void close() {}
    };
  }

  private TreeProofs proofs(LogId log, long size) {
    if (size > size(log)) {
      throw new IllegalArgumentException("log " + log + " holds fewer than " + size + " leaves");
    }
    return new TreeProofs(new Tiles(log, size));
  }

  /**
   * A log's perfect subtrees from its tiles, each tile read once per proof; a bundle's many proofs
   * keep the last {@link #KEPT_TILES} (bounded memory, records come roughly in leaf order).
   */
  private final class Tiles implements PerfectNodes {
    private final LogId log;
    private final long size;
    private final Map<String, byte[]> read =
        new java.util.LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > KEPT_TILES;
          }
        };

    Tiles(LogId log, long size) {
      this.log = log;
      this.size = size;
    }

    @Override
    public byte[] node(int level, long index) {
      LogFiles.Span span = LogFiles.Span.of(level, index, size);
      int stored = span.stored();
      int count = span.count();
      long first = span.first();
      long tile = first / EvidenceDocs.TILE_WIDTH;
      int at = (int) (first % EvidenceDocs.TILE_WIDTH);
      String id = EvidenceDocs.tileId(log, stored, tile);
      byte[] hashes =
          read.computeIfAbsent(
              id,
              k -> {
                JsonNode d = get(k);
                return d == null
                    ? new byte[0]
                    : Base64.getDecoder().decode(d.path(EvidenceDocs.HASHES).asText());
              });
      if (hashes.length < (at + count) * MerkleHash.SIZE) {
        throw new IndexUnavailable(
            "the evidence log " + log + " is missing tile " + stored + "/" + tile);
      }
      byte[][] row = new byte[count][];
      for (int i = 0; i < count; i++) {
        row[i] =
            java.util.Arrays.copyOfRange(
                hashes, (at + i) * MerkleHash.SIZE, (at + i + 1) * MerkleHash.SIZE);
      }
      return MerkleHash.up(row);
    }
  }

  private ObjectNode filter(String kind, String tenant, int partition) {
    ObjectNode q = F.objectNode();
    var filter = q.putObject("bool").putArray("filter");
    filter.addObject().putObject("term").put(EvidenceDocs.KIND, kind);
    filter.addObject().putObject("term").put(EvidenceDocs.TENANT, tenant);
    if (partition >= 0) {
      filter.addObject().putObject("term").put(EvidenceDocs.PARTITION, partition);
    }
    return q;
  }

  private JsonNode search(ObjectNode body) {
    Cluster.Reply r = send("POST", "/" + index + "/_search?ignore_unavailable=true", body);
    if (r.status() == 404) {
      return F.arrayNode(); // no evidence index yet: no logs
    }
    if (!r.ok()) {
      throw new IndexUnavailable("the evidence index cannot answer: " + r.error());
    }
    return r.json().path("hits").path("hits");
  }

  private JsonNode get(String id) {
    Cluster.Reply r =
        send("GET", "/" + index + "/_doc/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
    if (r.status() == 404) {
      return null;
    }
    if (!r.ok()) {
      throw new IndexUnavailable("the evidence index cannot answer: " + r.error());
    }
    JsonNode d = r.json();
    return d.path("found").asBoolean(false) ? d.path("_source") : null;
  }

  private Cluster.Reply send(String method, String path, JsonNode body) {
    try {
      return body == null
          ? cluster.send(method, path, (byte[]) null)
          : cluster.send(method, path, body);
    } catch (ClusterException e) {
      throw new IndexUnavailable("the OpenSearch cluster is unreachable: " + e.getMessage());
    }
  }
}
