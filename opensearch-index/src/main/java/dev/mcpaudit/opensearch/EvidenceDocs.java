package dev.mcpaudit.opensearch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.evidence.LogId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The evidence logs on a cluster (README, "Verifiable evidence"), in the evidence index: the stored
 * subtrees of each log (levels 0, 4, 8, … as on disk) in tiles of 16 hashes, one document per log
 * with its size and right edge, and each signed checkpoint. Tiles are written before the log's
 * document in a separate request, so a log's size never claims a subtree the cluster does not hold.
 * Ids are derived from the log, so a write again (a replay) lands on the same document.
 */
public final class EvidenceDocs {
  public static final String KIND = "kind";
  public static final String TENANT = "tenant";
  public static final String PARTITION = "partition";
  public static final String LEVEL = "level";
  public static final String TILE = "tile";
  public static final String SIZE = "size";
  public static final String TIME = "time";
  public static final String HASHES = "hashes";
  public static final String FRONTIER = "frontier";
  public static final String NOTE = "note";

  /** Hashes per tile: a subtree of a stored level is at most one tile's read. */
  public static final int TILE_WIDTH = 16;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private EvidenceDocs() {}

  private static String key(LogId log) {
    return HexFormat.of().formatHex(log.tenant().getBytes(StandardCharsets.UTF_8))
        + "/"
        + log.partition();
  }

  public static String tileId(LogId log, int level, long tile) {
    return "t/" + key(log) + "/" + level + "/" + tile;
  }

  public static String logId(LogId log) {
    return "l/" + key(log);
  }

  public static String checkpointId(LogId log, long size) {
    return "c/" + key(log) + "/" + size;
  }

  public static ObjectNode tile(LogId log, int level, long tile, byte[] hashes) {
    ObjectNode d = F.objectNode();
    d.put(KIND, "tile");
    d.put(TENANT, log.tenant());
    d.put(PARTITION, log.partition());
    d.put(LEVEL, level);
    d.put(TILE, tile);
    d.put(HASHES, Base64.getEncoder().encodeToString(hashes));
    return d;
  }

  /** A log's document: its size and its right edge (the roots of its perfect subtrees). */
  public static ObjectNode log(LogId log, long size, List<byte[]> frontier) {
    ObjectNode d = F.objectNode();
    d.put(KIND, "log");
    d.put(TENANT, log.tenant());
    d.put(PARTITION, log.partition());
    d.put(SIZE, size);
    var f = d.putObject(FRONTIER).putArray("hashes");
    frontier.forEach(h -> f.add(Base64.getEncoder().encodeToString(h)));
    return d;
  }

  public static ObjectNode checkpoint(LogId log, long size, Instant time, String note) {
    ObjectNode d = F.objectNode();
    d.put(KIND, "checkpoint");
    d.put(TENANT, log.tenant());
    d.put(PARTITION, log.partition());
    d.put(SIZE, size);
    d.put(TIME, time.toEpochMilli());
    d.putObject(NOTE).put("text", note);
    return d;
  }
}
