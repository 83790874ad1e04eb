package dev.mcpaudit.indexer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.indexer.evidence.CheckpointPublisher;
import dev.mcpaudit.indexer.evidence.EvidenceLog;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.opensearch.EvidenceDocs;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.CompactRange;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The evidence logs with {@code index.backend=opensearch} (README, "Verifiable evidence"): the same
 * logs as beside a Lucene index, kept in the cluster's evidence index ({@link EvidenceDocs}). A
 * log's state is read from the cluster the first time this indexer writes to it after an
 * assignment, so whoever owned its partition before hands it over through the cluster. After the
 * records of a write are acknowledged, the tiles it completed or changed are written, then each
 * log's document (its size, versioned by it, so an older state never replaces a newer) with the
 * checkpoints due; only then are those published. The group's offsets move after that. A crash
 * anywhere in between leaves records whose leaves the logs' documents do not count yet; read again
 * in Kafka's order they reach exactly those leaves and enter again.
 */
final class ClusterEvidence {
  /** Writes a bulk request until every item is done (the sink's retrying). */
  interface Writer {
    void writeAll(List<Op> ops) throws Exception;
  }

  /**
   * One write: a document by id, and for a log's document the version it is written at (its size;
   * -1: none).
   */
  record Op(String id, ObjectNode doc, long version) {}

  /** A log as this indexer grows it. */
  static final class State {
    final LogId id;
    CompactRange range;
    long reserved;
    final Map<Integer, List<byte[]>> partial = new HashMap<>();
    final Map<String, Op> tiles = new LinkedHashMap<>();
    boolean grown;
    long checkpointSize;
    Instant checkpointTime;

    State(LogId id) {
      this.id = id;
    }
  }

  private final Cluster cluster;
  private final EvidenceLog.Settings settings;
  private final CheckpointPublisher publisher;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<LogId, State> states = new HashMap<>();
  private final List<CompactRange.Node> completed = new ArrayList<>();

  ClusterEvidence(Cluster cluster, EvidenceLog.Settings settings, CheckpointPublisher publisher) {
    this.cluster = cluster;
    this.settings = settings;
    this.publisher = publisher;
  }

  ReentrantLock lock() {
    return lock;
  }

  /** Partitions changed hands: every log is read from the cluster again when next written. */
  void forget() {
    lock.lock();
    try {
      states.clear();
    } finally {
      lock.unlock();
    }
  }

  /** A log's state, read from the cluster the first time. Under the lock. */
  State state(LogId id) {
    State s = states.get(id);
    if (s == null) {
      s = load(id);
      states.put(id, s);
    }
    return s;
  }

  private State load(LogId id) {
    State s = new State(id);
    JsonNode doc = get(EvidenceDocs.logId(id));
    long size = doc == null ? 0 : doc.path(EvidenceDocs.SIZE).asLong();
    List<byte[]> frontier = new ArrayList<>();
    if (doc != null) {
      for (JsonNode h : doc.path(EvidenceDocs.FRONTIER).path("hashes")) {
        frontier.add(Base64.getDecoder().decode(h.asText()));
      }
      s.checkpointSize = doc.path(EvidenceDocs.FRONTIER).path("checkpoint_size").asLong(0);
      long at = doc.path(EvidenceDocs.FRONTIER).path("checkpoint_time").asLong(0);
      s.checkpointTime = at == 0 ? null : Instant.ofEpochMilli(at);
    }
    s.range = CompactRange.of(size, frontier);
    s.reserved = size;
    for (int level = 0; level < 63 && (size >>> level) > 0; level += LogFiles.STRIDE) {
      long count = size >>> level;
      int inTile = (int) (count % EvidenceDocs.TILE_WIDTH);
      List<byte[]> partial = new ArrayList<>();
      if (inTile > 0) {
        long tile = count / EvidenceDocs.TILE_WIDTH;
        JsonNode t = get(EvidenceDocs.tileId(id, level, tile));
        byte[] hashes =
            t == null
                ? new byte[0]
                : Base64.getDecoder().decode(t.path(EvidenceDocs.HASHES).asText());
        if (hashes.length < inTile * 32) {
          throw new ClusterException(
              "evidence log "
                  + id
                  + " of "
                  + size
                  + " leaves: tile "
                  + level
                  + "/"
                  + tile
                  + " holds "
                  + hashes.length / 32
                  + " of its "
                  + inTile
                  + " hashes");
        }
        for (int i = 0; i < inTile; i++) {
          byte[] h = new byte[32];
          System.arraycopy(hashes, i * 32, h, 0, 32);
          partial.add(h);
        }
      }
      s.partial.put(level, partial);
    }
    return s;
  }

  /**
   * A document of the evidence index by id (real-time), or null. A cluster that cannot answer now
   * (unreachable, 429, 5xx: a shard still starting) is asked again for up to a minute.
   */
  private JsonNode get(String id) {
    String path =
        "/"
            + cluster.names().evidenceIndex()
            + "/_doc/"
            + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
    long backoff = 100;
    while (true) {
      String why;
      try {
        Cluster.Reply r = cluster.send("GET", path, (byte[]) null);
        if (r.status() == 404) {
          return null;
        }
        if (r.ok()) {
          JsonNode d = r.json();
          return d.path("found").asBoolean(false) ? d.path("_source") : null;
        }
        if (r.status() != 429 && r.status() < 500) {
          throw new ClusterException("reading evidence " + id + " failed: " + r.error());
        }
        why = r.error();
      } catch (ClusterException e) {
        if (!(e.getCause() instanceof java.io.IOException)) {
          throw e;
        }
        why = e.getMessage();
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterException("reading evidence " + id + " failed: " + why);
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ClusterException("interrupted while reading evidence " + id);
      }
      backoff = Math.min(backoff * 2, 2_000);
    }
  }

  /** Appends the leaf of the next reserved index of a log. Under the lock. */
  void append(State s, byte[] leafHash) {
    completed.clear();
    s.range.append(leafHash, completed);
    for (CompactRange.Node n : completed) {
      if (n.level() % LogFiles.STRIDE != 0) {
        continue;
      }
      List<byte[]> partial = s.partial.computeIfAbsent(n.level(), l -> new ArrayList<>());
      partial.add(n.hash());
      long tile = n.index() / EvidenceDocs.TILE_WIDTH;
      s.tiles.put(
          EvidenceDocs.tileId(s.id, n.level(), tile),
          new Op(
              EvidenceDocs.tileId(s.id, n.level(), tile),
              EvidenceDocs.tile(s.id, n.level(), tile, concat(partial)),
              -1));
      if (partial.size() == EvidenceDocs.TILE_WIDTH) {
        partial.clear();
      }
    }
    s.grown = true;
  }

  /**
   * Makes what the logs grew durable, after the records holding their leaves were acknowledged:
   * tiles first, then each log's document with the checkpoints due, then publishes those. Under the
   * lock.
   */
  void persist(Instant now, Writer writer) throws Exception {
    List<Op> tiles = new ArrayList<>();
    for (State s : states.values()) {
      tiles.addAll(s.tiles.values());
    }
    if (!tiles.isEmpty()) {
      writer.writeAll(tiles);
      states.values().forEach(s -> s.tiles.clear());
    }
    List<Op> logs = new ArrayList<>();
    List<EvidenceLog.Made> made = new ArrayList<>();
    for (State s : states.values()) {
      boolean due = due(s, now);
      if (!s.grown && !due) {
        continue;
      }
      if (due) {
        Checkpoint cp =
            new Checkpoint(s.id.origin(settings.origin()), s.range.size(), s.range.root(), now);
        String note = settings.key().sign(cp.text());
        logs.add(
            new Op(
                EvidenceDocs.checkpointId(s.id, cp.size()),
                EvidenceDocs.checkpoint(s.id, cp.size(), now, note),
                -1));
        made.add(new EvidenceLog.Made(s.id, cp, note));
        s.checkpointSize = cp.size();
        s.checkpointTime = now;
      }
      ObjectNode doc = EvidenceDocs.log(s.id, s.range.size(), s.range.hashes());
      ObjectNode f = (ObjectNode) doc.path(EvidenceDocs.FRONTIER);
      f.put("checkpoint_size", s.checkpointSize);
      f.put("checkpoint_time", s.checkpointTime == null ? 0 : s.checkpointTime.toEpochMilli());
      logs.add(new Op(EvidenceDocs.logId(s.id), doc, s.range.size()));
      s.grown = false;
    }
    if (!logs.isEmpty()) {
      writer.writeAll(logs);
    }
    publisher.publish(made);
  }

  /** Whether some log grew past its last checkpoint by the count or the interval. */
  boolean checkpointDue(Instant now) {
    if (!lock.tryLock()) {
      return false;
    }
    try {
      for (State s : states.values()) {
        if (due(s, now)) {
          return true;
        }
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  private boolean due(State s, Instant now) {
    long size = s.range.size();
    if (size == s.checkpointSize) {
      return false;
    }
    return size - s.checkpointSize >= settings.every()
        || s.checkpointTime == null
        || !now.isBefore(s.checkpointTime.plus(settings.interval()));
  }

  private static byte[] concat(List<byte[]> hashes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(hashes.size() * 32);
    hashes.forEach(out::writeBytes);
    return out.toByteArray();
  }
}
