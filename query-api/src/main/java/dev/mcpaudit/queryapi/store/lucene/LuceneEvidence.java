package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.evidence.Committed;
import dev.mcpaudit.index.evidence.LogFiles;
import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.queryapi.evidence.EvidenceReader;
import dev.mcpaudit.schema.evidence.Checkpoint;
import dev.mcpaudit.schema.evidence.SignedNote;
import dev.mcpaudit.schema.evidence.TreeProofs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The evidence logs beside a Lucene index on this disk: the positions come from the index's latest
 * commit (read again at most once a second), the nodes and checkpoints from the logs' files, read
 * only up to those positions.
 */
public final class LuceneEvidence implements EvidenceReader, AutoCloseable {
  private static final long REREAD_NANOS = 1_000_000_000L;

  private final Path indexDir;
  private final Directory directory;
  private volatile Map<LogId, Committed> committed = Map.of();
  private volatile long readAt;
  private final Map<LogId, CachedCheckpoints> checkpoints = new ConcurrentHashMap<>();

  private record CachedCheckpoints(long bytes, List<Kept> kept) {}

  public LuceneEvidence(Path indexDir) throws IOException {
    this.indexDir = indexDir;
    this.directory = FSDirectory.open(indexDir);
    this.readAt = System.nanoTime() - 2 * REREAD_NANOS;
  }

  private Map<LogId, Committed> committed() {
    if (System.nanoTime() - readAt >= REREAD_NANOS) {
      synchronized (this) {
        if (System.nanoTime() - readAt >= REREAD_NANOS) {
          try {
            committed =
                Committed.read(SegmentInfos.readLatestCommit(directory).getUserData().entrySet());
          } catch (org.apache.lucene.index.IndexNotFoundException none) {
            committed = Map.of();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          readAt = System.nanoTime();
        }
      }
    }
    return committed;
  }

  @Override
  public List<LogId> logs(String tenant) {
    return committed().keySet().stream().filter(l -> l.tenant().equals(tenant)).sorted().toList();
  }

  @Override
  public long size(LogId log) {
    Committed c = committed().get(log);
    return c == null ? 0 : c.size();
  }

  @Override
  public List<Kept> checkpoints(LogId log) {
    Committed c = committed().get(log);
    if (c == null) {
      return List.of();
    }
    CachedCheckpoints cached = checkpoints.get(log);
    if (cached != null && cached.bytes == c.checkpointBytes()) {
      return cached.kept;
    }
    List<Kept> kept = new ArrayList<>();
    try {
      for (String note : LogFiles.readCheckpoints(log.dir(indexDir), c.checkpointBytes())) {
        kept.add(new Kept(Checkpoint.parse(SignedNote.parse(note).text()), note));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Kept> copy = List.copyOf(kept);
    checkpoints.put(log, new CachedCheckpoints(c.checkpointBytes(), copy));
    return copy;
  }

  @Override
  public List<byte[]> inclusion(LogId log, long index, long size) {
    try (LogFiles.Reader nodes = reader(log, size)) {
      return new TreeProofs(nodes).inclusion(index, size);
    }
  }

  @Override
  public List<byte[]> consistency(LogId log, long from, long to) {
    try (LogFiles.Reader nodes = reader(log, to)) {
      return new TreeProofs(nodes).consistency(from, to);
    }
  }

  @Override
  public Nodes nodes(LogId log, long size) {
    LogFiles.Reader r = reader(log, size);
    return new Nodes() {
      @Override
      public byte[] node(int level, long index) {
        return r.node(level, index);
      }

      @Override
      public void close() {
        r.close();
      }
    };
  }

  private LogFiles.Reader reader(LogId log, long size) {
    if (size > size(log)) {
      throw new IllegalArgumentException("log " + log + " holds fewer than " + size + " leaves");
    }
    return LogFiles.reader(log.dir(indexDir), size);
  }

  @Override
  public void close() throws IOException {
    directory.close();
  }
}
