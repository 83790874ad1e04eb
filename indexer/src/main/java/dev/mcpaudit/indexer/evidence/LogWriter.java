package dev.mcpaudit.indexer.evidence;

import dev.mcpaudit.index.evidence.Committed;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.CompactRange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One log as the indexer grows it: its right edge in memory, the stored nodes and checkpoints not
 * yet on disk, and its last checkpoint. Appends come from the loop thread; {@link #flush} from the
 * commit thread; both under this object's lock, except the file writes and their fsync.
 */
public final class LogWriter {
  private final LogId id;
  private final Path dir;
  private final CompactRange range;
  private final Map<Integer, ByteArrayOutputStream> pendingNodes = new HashMap<>();
  private final ByteArrayOutputStream pendingCheckpoints = new ByteArrayOutputStream();
  private final List<CompactRange.Node> completed = new ArrayList<>();

  /** Leaf indices handed out; the range catches up with it when a write's appends are done. */
  private long reserved;

  /** Bytes of the checkpoints file once everything pending is written. */
  private long checkpointBytes;

  private long lastCheckpointSize;
  private Instant lastCheckpointTime;
  private Checkpoint lastCheckpoint;
  private String lastNote;

  private LogWriter(LogId id, Path dir, CompactRange range, long checkpointBytes) {
    this.id = id;
    this.dir = dir;
    this.range = range;
    this.reserved = range.size();
    this.checkpointBytes = checkpointBytes;
  }

  static LogWriter empty(LogId id, Path indexDir) {
    return new LogWriter(id, id.dir(indexDir), new CompactRange(), 0);
  }

  /**
   * The log as the commit left it: files cut back to what the commit holds (what a crash left past
   * it is written again, identically, from Kafka), the right edge rebuilt from stored nodes.
   */
  static LogWriter reopen(LogId id, Path indexDir, Committed c) throws IOException {
    Path dir = id.dir(indexDir);
    for (int level = 0; level < 63; level += LogFiles.STRIDE) {
      LogFiles.truncate(LogFiles.nodes(dir, level), (c.size() >>> level) * 32);
    }
    LogFiles.truncate(LogFiles.checkpoints(dir), c.checkpointBytes());
    LogWriter w;
    try (LogFiles.Reader nodes = LogFiles.reader(dir, c.size())) {
      w = new LogWriter(id, dir, CompactRange.of(c.size(), nodes), c.checkpointBytes());
    }
    List<String> notes = LogFiles.readCheckpoints(dir, c.checkpointBytes());
    if (!notes.isEmpty()) {
      String last = notes.getLast();
      Checkpoint cp = Checkpoint.parse(dev.mcpaudit.schema.evidence.SignedNote.parse(last).text());
      w.lastCheckpointSize = cp.size();
      w.lastCheckpointTime = cp.time();
      w.lastCheckpoint = cp;
      w.lastNote = last;
    }
    return w;
  }

  LogId id() {
    return id;
  }

  synchronized long size() {
    return range.size();
  }

  /** The next leaf index not yet reserved. */
  public synchronized long reserved() {
    return reserved;
  }

  /** Reserves the next leaf index (loop thread, in Kafka's order). */
  public synchronized long reserve() {
    return reserved++;
  }

  /**
   * Appends the leaf of the next reserved index: leaves arrive in the order their indices were
   * reserved, from one thread at a time.
   */
  public synchronized void append(byte[] leafHash) {
    if (range.size() >= reserved) {
      throw new IllegalStateException("log " + id + ": a leaf appended without its reserved index");
    }
    completed.clear();
    range.append(leafHash, completed);
    for (CompactRange.Node n : completed) {
      if (n.level() % LogFiles.STRIDE == 0) {
        pendingNodes
            .computeIfAbsent(n.level(), l -> new ByteArrayOutputStream(4096))
            .writeBytes(n.hash());
      }
    }
  }

  /**
   * The tree head at the current size if a checkpoint is due: {@code every} leaves or {@code
   * interval} since the last one, and at least one new leaf. Null when none is due.
   */
  synchronized Checkpoint due(String prefix, long every, java.time.Duration interval, Instant now) {
    if (!isDue(every, interval, now)) {
      return null;
    }
    return new Checkpoint(id.origin(prefix), range.size(), range.root(), now);
  }

  synchronized boolean isDue(long every, java.time.Duration interval, Instant now) {
    long size = range.size();
    if (size == lastCheckpointSize) {
      return false;
    }
    return size - lastCheckpointSize >= every
        || lastCheckpointTime == null
        || !now.isBefore(lastCheckpointTime.plus(interval));
  }

  /** Keeps a signed checkpoint of {@code cp} to be written with the next flush. */
  synchronized void checkpointed(Checkpoint cp, String note) {
    byte[] line = LogFiles.checkpointLine(note);
    pendingCheckpoints.writeBytes(line);
    checkpointBytes += line.length;
    lastCheckpointSize = cp.size();
    lastCheckpointTime = cp.time();
    lastCheckpoint = cp;
    lastNote = note;
  }

  synchronized Checkpoint lastCheckpoint() {
    return lastCheckpoint;
  }

  synchronized String lastNote() {
    return lastNote;
  }

  /** What the commit records of this log, as of now (call on the thread that appends). */
  synchronized Committed position() {
    return new Committed(range.size(), checkpointBytes);
  }

  /**
   * Writes what is pending and forces it to disk. Writes may cover more than the commit about to be
   * made records; never less, since the position was taken before.
   */
  void flush() throws IOException {
    Map<Integer, byte[]> nodes = new HashMap<>();
    byte[] checkpoints;
    synchronized (this) {
      pendingNodes.forEach((level, buf) -> nodes.put(level, buf.toByteArray()));
      pendingNodes.clear();
      checkpoints = pendingCheckpoints.toByteArray();
      pendingCheckpoints.reset();
    }
    if (nodes.isEmpty() && checkpoints.length == 0) {
      return;
    }
    Files.createDirectories(dir);
    for (Map.Entry<Integer, byte[]> e : nodes.entrySet()) {
      appendTo(LogFiles.nodes(dir, e.getKey()), e.getValue());
    }
    if (checkpoints.length > 0) {
      appendTo(LogFiles.checkpoints(dir), checkpoints);
    }
  }

  private static void appendTo(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(false);
    }
  }
}
