package dev.mcpaudit.bench;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Bytes of the files the latest commit of an index references, and nothing else. A directory
 * listing taken while a writer or near-real-time readers are open also counts the files of segments
 * a merge already replaced (they stay until the last reader of them closes), which made a merged
 * index look larger than the unmerged one.
 *
 * <p>The writer may commit again while a commit is being sized and delete files of the one being
 * read; that commit is then no longer the latest, so sizing starts over with the new one.
 */
final class LiveSize {
  private static final int ATTEMPTS = 20;

  private LiveSize() {}

  static long of(Path index) throws IOException {
    try (Directory dir = FSDirectory.open(index)) {
      NoSuchFileException last = null;
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        try {
          SegmentInfos commit = SegmentInfos.readLatestCommit(dir);
          long total = 0;
          for (String file : commit.files(true)) {
            total += dir.fileLength(file);
          }
          return total;
        } catch (NoSuchFileException replacedMeanwhile) {
          last = replacedMeanwhile;
        }
      }
      throw last;
    }
  }
}
