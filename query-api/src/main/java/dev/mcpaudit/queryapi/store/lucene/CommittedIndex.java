package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.runtime.health.Health;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Searchers over an index that another process (the indexer) commits, opened read-only. The
 * directory may hold no commit yet when the api starts: until one appears this serves an empty
 * placeholder, {@link #health()} says why, and {@link Searchers} answers {@code IndexUnavailable}
 * (503); the first {@link #maybeRefresh()} after the indexer's first commit opens it, without a
 * restart (README, "Running the roles separately"). Never writes to the directory: it may be a
 * read-only mount.
 */
public final class CommittedIndex extends ReferenceManager<IndexSearcher> {
  /** The searcher served while there is no commit to open; {@link Searchers} refuses it. */
  static final class Placeholder extends IndexSearcher {
    final String reason;

    Placeholder(String reason) throws IOException {
      super(new MultiReader());
      this.reason = reason;
    }
  }

  private static final Logger log = LoggerFactory.getLogger(CommittedIndex.class);

  private final Path path;
  private final String what;
  private Directory directory;

  private CommittedIndex(Path path, String what) throws IOException {
    this.path = path;
    this.what = what;
    IndexSearcher opened = tryOpen();
    this.current = opened != null ? opened : placeholder();
    if (opened == null) {
      log.info("api waiting for the first commit index={} path={}", what, path);
    }
  }

  /**
   * @param what the index's name in the reason, e.g. "events index"
   * @throws IOException if a commit is there but cannot be read (corrupt, no permission)
   */
  public static CommittedIndex open(Path path, String what) throws IOException {
    return new CommittedIndex(path, what);
  }

  /** Ready once a commit is open; else why this index is not served yet. */
  public Health health() {
    IndexSearcher s = current;
    return s instanceof Placeholder p ? Health.notReady(p.reason) : Health.READY;
  }

  private Placeholder placeholder() throws IOException {
    return new Placeholder(
        "no commit in the "
            + what
            + " at "
            + path
            + " yet; it is served once the indexer's first commit"
            + " appears there (is the indexer running and writing to this directory?)");
  }

  /** The newest commit, or null while there is none. */
  private IndexSearcher tryOpen() throws IOException {
    if (!Files.isDirectory(path)) {
      return null;
    }
    if (directory == null) {
      directory = FSDirectory.open(path);
    }
    if (!DirectoryReader.indexExists(directory)) {
      return null;
    }
    return new IndexSearcher(DirectoryReader.open(directory));
  }

  @Override
  protected IndexSearcher refreshIfNeeded(IndexSearcher old) throws IOException {
    if (old instanceof Placeholder) {
      IndexSearcher opened = tryOpen();
      if (opened != null) {
        log.info(
            "api opened the first commit index={} path={} docs={}",
            what,
            path,
            opened.getIndexReader().numDocs());
      }
      return opened;
    }
    DirectoryReader next = DirectoryReader.openIfChanged((DirectoryReader) old.getIndexReader());
    return next == null ? null : new IndexSearcher(next);
  }

  @Override
  protected void decRef(IndexSearcher reference) throws IOException {
    reference.getIndexReader().decRef();
  }

  @Override
  protected boolean tryIncRef(IndexSearcher reference) {
    return reference.getIndexReader().tryIncRef();
  }

  @Override
  protected int getRefCount(IndexSearcher reference) {
    return reference.getIndexReader().getRefCount();
  }

  @Override
  protected void afterClose() throws IOException {
    if (directory != null) {
      directory.close();
    }
  }
}
