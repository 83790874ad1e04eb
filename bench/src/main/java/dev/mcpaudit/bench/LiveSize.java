package dev.mcpaudit.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Bytes of the files the latest commit of an index references, and nothing else. A directory
 * listing taken while a writer or near-real-time readers are open also counts the files of
 * segments a merge already replaced (they stay until the last reader of them closes), which made
 * a merged index look larger than the unmerged one.
 */
final class LiveSize {
  private LiveSize() {}

  static long of(Path index) throws IOException {
    try (Directory dir = FSDirectory.open(index)) {
      SegmentInfos commit = SegmentInfos.readLatestCommit(dir);
      long total = 0;
      for (String file : commit.files(true)) {
        total += dir.fileLength(file);
      }
      return total;
    }
  }
}
