package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

/** A Lucene store over an index a test wrote, without admission (the test calls it directly). */
final class StoreFixture {
  /** Shared by the tests of this package: daemon threads, as a composition root would make. */
  static final StoreThreads THREADS = StoreThreads.start(2);

  private StoreFixture() {}

  /**
   * The events in an in-memory index sorted as the indexer sorts it, committed every {@code
   * commitEvery} events so it has several segments, as a live index has.
   */
  static ByteBuffersDirectory index(List<AuthzEvent> events, int commitEvery) throws IOException {
    ByteBuffersDirectory dir = new ByteBuffersDirectory();
    try (IndexWriter w =
        new IndexWriter(dir, new IndexWriterConfig().setIndexSort(IndexSchema.INDEX_SORT))) {
      int n = 0;
      for (AuthzEvent e : events) {
        byte[] raw = EventCodec.encode(e);
        w.addDocument(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, n++, 0)));
        if (n % commitEvery == 0) {
          w.commit();
        }
      }
    }
    return dir;
  }

  /** {@code count} events of the test kit's generator. */
  static List<AuthzEvent> synthetic(long seed, Instant start, int count) {
    SyntheticEvents gen = new SyntheticEvents(seed, start);
    List<AuthzEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      events.add(gen.next());
    }
    return events;
  }

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
