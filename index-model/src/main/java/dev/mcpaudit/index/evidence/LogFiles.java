package dev.mcpaudit.index.evidence;

import dev.mcpaudit.schema.evidence.MerkleHash;
import dev.mcpaudit.schema.evidence.PerfectNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A log on disk, in its directory: {@code nodes-0} holds every leaf hash, {@code nodes-4} the root
 * of every complete run of 16 leaves, {@code nodes-8} of 256, and so on (32 bytes each, in order;
 * about 34 bytes a record in all); {@code checkpoints} holds each signed checkpoint as one base64
 * line. Any perfect subtree is then at most 15 stored hashes away, so a proof reads and hashes a
 * few hundred hashes whatever the log's size (fewer levels stored would cost more hashing per
 * proof; measured by {@code bench/run evidence}). Files only grow; what a commit does not hold is
 * cut off when the indexer opens the index.
 */
public final class LogFiles {
  /** Levels are stored every this many: a subtree is hashed from at most 2^STRIDE entries. */
  public static final int STRIDE = 4;

  private LogFiles() {}

  public static Path nodes(Path dir, int level) {
    return dir.resolve("nodes-" + level);
  }

  public static Path checkpoints(Path dir) {
    return dir.resolve("checkpoints");
  }

  /**
   * Where a perfect subtree of a log of {@code size} leaves is read from: {@code count} entries of
   * the stored level {@code stored}, from entry {@code first}.
   */
  public record Span(int stored, int count, long first) {
    /**
     * @throws IllegalArgumentException when that subtree is not complete in the log
     */
    public static Span of(int level, long index, long size) {
      if (level < 0 || level > 62 || index < 0 || ((index + 1) << level) > size) {
        throw new IllegalArgumentException(
            "subtree " + level + "/" + index + " is not complete in a log of " + size);
      }
      int stored = storedLevel(level);
      return new Span(stored, 1 << (level - stored), index << (level - stored));
    }
  }

  /** The stored level a node at {@code level} is computed from. */
  public static int storedLevel(int level) {
    return level - level % STRIDE;
  }

  /**
   * Reads the perfect subtrees of the first {@code size} leaves of the log in {@code dir}: what
   * proofs and roots are built from ({@link dev.mcpaudit.schema.evidence.TreeProofs}). Holds its
   * files open until closed.
   */
  public static Reader reader(Path dir, long size) {
    return new Reader(dir, size);
  }

  /** The stored nodes of one log, read up to a size; open files are kept until {@link #close}. */
  public static final class Reader implements PerfectNodes, AutoCloseable {
    private final Path dir;
    private final long size;
    private final java.util.Map<Integer, FileChannel> open = new java.util.HashMap<>();

    private Reader(Path dir, long size) {
      this.dir = dir;
      this.size = size;
    }

    @Override
    public byte[] node(int level, long index) {
      Span span = Span.of(level, index, size);
      int stored = span.stored();
      int count = span.count();
      long first = span.first();
      ByteBuffer buf = ByteBuffer.allocate(count * MerkleHash.SIZE);
      try {
        FileChannel ch = channel(stored);
        long pos = first * MerkleHash.SIZE;
        while (buf.hasRemaining()) {
          if (ch.read(buf, pos + buf.position()) < 0) {
            throw new IOException(nodes(dir, stored) + " is shorter than its log's committed size");
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      byte[][] row = new byte[count][];
      for (int i = 0; i < count; i++) {
        row[i] = new byte[MerkleHash.SIZE];
        buf.get(i * MerkleHash.SIZE, row[i]);
      }
      return MerkleHash.up(row);
    }

    private synchronized FileChannel channel(int level) throws IOException {
      FileChannel ch = open.get(level);
      if (ch == null) {
        ch = FileChannel.open(nodes(dir, level), StandardOpenOption.READ);
        open.put(level, ch);
      }
      return ch;
    }

    @Override
    public synchronized void close() {
      for (FileChannel ch : open.values()) {
        try {
          ch.close();
        } catch (IOException e) {
          // read-only: nothing was written that closing could lose
        }
      }
      open.clear();
    }
  }

  /**
   * The signed checkpoints in the first {@code bytes} of a log's checkpoints file, oldest first.
   */
  public static List<String> readCheckpoints(Path dir, long bytes) throws IOException {
    List<String> notes = new ArrayList<>();
    if (bytes == 0) {
      return notes;
    }
    byte[] all;
    try (FileChannel ch = FileChannel.open(checkpoints(dir), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(bytes));
      while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {}
      all = buf.array();
    } catch (NoSuchFileException e) {
      throw new IOException("a committed checkpoints file is missing: " + checkpoints(dir), e);
    }
    for (String line : new String(all, StandardCharsets.US_ASCII).split("\n")) {
      if (!line.isEmpty()) {
        notes.add(new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8));
      }
    }
    return notes;
  }

  /** One checkpoint as its file stores it. */
  public static byte[] checkpointLine(String note) {
    return (Base64.getEncoder().encodeToString(note.getBytes(StandardCharsets.UTF_8)) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Cuts a file back to {@code length} bytes (never grows it); a missing file is left missing. */
  public static void truncate(Path file, long length) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      if (ch.size() > length) {
        ch.truncate(length);
        ch.force(true);
      }
    }
  }
}
