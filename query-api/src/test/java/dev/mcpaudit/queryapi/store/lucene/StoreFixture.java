package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.queryapi.search.QueryLimits;
import java.io.IOException;
import java.time.Duration;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;

/** A Lucene store over an index a test wrote, without admission (the test calls it directly). */
final class StoreFixture {
  /** Shared by the tests of this package: daemon threads, as a composition root would make. */
  static final StoreThreads THREADS = StoreThreads.start(2);

  private StoreFixture() {}

  static SearcherManager searchers(Directory dir) throws IOException {
    return new SearcherManager(DirectoryReader.open(dir), null);
  }

  static LuceneEventStore store(ReferenceManager<IndexSearcher> searchers, Duration timeout) {
    return LuceneEventStore.direct(searchers, searchers, QueryLimits.defaults(timeout), THREADS);
  }

  static LuceneEventStore store(Directory dir) throws IOException {
    return store(searchers(dir), Duration.ofSeconds(30));
  }
}
