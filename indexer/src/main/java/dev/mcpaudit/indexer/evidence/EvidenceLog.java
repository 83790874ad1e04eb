package dev.mcpaudit.indexer.evidence;

import dev.mcpaudit.index.evidence.Committed;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Every evidence log of one Lucene index (README, "Verifiable evidence"). Leaves are appended on
 * the loop thread in Kafka's order per partition; a commit takes every log's position and the
 * checkpoints due ({@link #prepare}) on that thread too, writes their files ({@link
 * Prepared#flush}) on the commit thread, and the index commit records the positions with the Kafka
 * offsets. Only then are the checkpoints published. A crash loses nothing the commit holds and
 * everything it does not; the same records read again rebuild the same trees.
 */
public final class EvidenceLog {
  /**
   * @param origin the first part of every checkpoint's origin line
   * @param key the key checkpoints are signed with
   * @param every a checkpoint after this many new leaves of a log
   * @param interval or after this long, when the log grew
   */
  public record Settings(String origin, SigningKey key, long every, Duration interval) {}

  /** A checkpoint made for a commit, published once the commit holds it. */
  public record Made(LogId log, Checkpoint checkpoint, String note) {}

  /** One commit's share of the evidence: what to write first, what the commit records. */
  public record Prepared(List<LogWriter> writers, Map<String, String> userData, List<Made> made) {
    /** Writes and forces every log's pending nodes and checkpoints: before the index commit. */
    public void flush() throws IOException {
      for (LogWriter w : writers) {
        w.flush();
      }
    }
  }

  private final Path indexDir;
  private final Settings settings;
  private final Map<LogId, LogWriter> logs = new ConcurrentHashMap<>();

  /** Logs that changed since the last prepared commit. */
  private final Map<LogId, LogWriter> dirty = new HashMap<>();

  /** Logs that grew since their last checkpoint: only these can be due. */
  private final Map<LogId, LogWriter> unchecked = new HashMap<>();

  /** The latest committed checkpoint of each log, as the index was opened. */
  private final List<Made> committedLatest = new ArrayList<>();

  /**
   * Opens the logs the last commit recorded, cutting their files back to it; directories of logs
   * the commit does not know (made after it, before a crash) are removed.
   */
  public EvidenceLog(Path indexDir, Iterable<Map.Entry<String, String>> userData, Settings settings)
      throws IOException {
    this.indexDir = indexDir;
    this.settings = settings;
    Map<LogId, Committed> committed = Committed.read(userData);
    for (Map.Entry<LogId, Committed> e : committed.entrySet()) {
      LogWriter w = LogWriter.reopen(e.getKey(), indexDir, e.getValue());
      logs.put(e.getKey(), w);
      Checkpoint last = w.lastCheckpoint();
      if (last == null ? w.size() > 0 : last.size() < w.size()) {
        unchecked.put(e.getKey(), w); // grew after its last checkpoint, before the stop
      }
    }
    removeUncommitted(committed);
    for (LogWriter w : logs.values()) {
      String last = w.lastNote();
      if (last != null) {
        committedLatest.add(new Made(w.id(), w.lastCheckpoint(), last));
      }
    }
  }

  private void removeUncommitted(Map<LogId, Committed> committed) throws IOException {
    Path root = indexDir.resolve("evidence");
    if (!Files.isDirectory(root)) {
      return;
    }
    java.util.Set<Path> known = new java.util.HashSet<>();
    committed.keySet().forEach(id -> known.add(id.dir(indexDir)));
    try (Stream<Path> tenants = Files.list(root)) {
      for (Path t : tenants.toList()) {
        try (Stream<Path> parts = Files.list(t)) {
          for (Path p : parts.toList()) {
            if (!known.contains(p)) {
              try (Stream<Path> files = Files.list(p)) {
                for (Path f : files.toList()) {
                  Files.delete(f);
                }
              }
              Files.delete(p);
            }
          }
        }
      }
    }
  }

  /**
   * The log that is about to grow, on the loop thread: leaf indices are then {@link
   * LogWriter#reserve reserved} on that thread in Kafka's order, and the leaves {@link
   * LogWriter#append appended} in the same order on any one thread (the hashing off the loop).
   */
  public LogWriter growing(LogId id) {
    LogWriter w = logs.computeIfAbsent(id, i -> LogWriter.empty(i, indexDir));
    dirty.put(id, w);
    unchecked.put(id, w);
    return w;
  }

  /** Appends a record's leaf to its log; returns its leaf index. Loop thread only. */
  public long append(LogId id, byte[] leafHash) {
    LogWriter w = growing(id);
    long leaf = w.reserve();
    w.append(leafHash);
    return leaf;
  }

  /** The next leaf index of a log (0 for a log not started): its size once appends are done. */
  public long size(LogId id) {
    LogWriter w = logs.get(id);
    return w == null ? 0 : w.reserved();
  }

  /**
   * Takes every log's position for the commit about to be made, signing the checkpoints due. On the
   * thread that appends, between writes, with the offsets the commit records.
   */
  public Prepared prepare(Instant now) {
    List<Made> made = new ArrayList<>();
    for (java.util.Iterator<LogWriter> it = unchecked.values().iterator(); it.hasNext(); ) {
      LogWriter w = it.next();
      Checkpoint cp = w.due(settings.origin(), settings.every(), settings.interval(), now);
      if (cp != null) {
        String note = settings.key().sign(cp.text());
        w.checkpointed(cp, note);
        dirty.put(w.id(), w);
        made.add(new Made(w.id(), cp, note));
        it.remove();
      }
    }
    Map<String, String> userData = new HashMap<>();
    for (LogWriter w : logs.values()) {
      if (w.size() != w.reserved()) {
        throw new IllegalStateException(
            "log " + w.id() + ": a commit was prepared while leaves were still being appended");
      }
      userData.put(w.id().commitKey(), w.position().value());
    }
    List<LogWriter> writers = List.copyOf(dirty.values());
    dirty.clear();
    return new Prepared(writers, userData, made);
  }

  /** Whether some log that grew is due a checkpoint by now. Loop thread only. */
  public boolean checkpointDue(Instant now) {
    for (LogWriter w : unchecked.values()) {
      if (w.isDue(settings.every(), settings.interval(), now)) {
        return true;
      }
    }
    return false;
  }

  /** The latest checkpoint of each log the index was opened with: published again on start. */
  public List<Made> committedLatest() {
    return List.copyOf(committedLatest);
  }
}
