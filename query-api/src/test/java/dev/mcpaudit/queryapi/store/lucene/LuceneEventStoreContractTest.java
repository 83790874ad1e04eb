package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.alerts.AlertIndex;
import dev.mcpaudit.indexer.alerts.AlertStore;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.EventStoreContract;
import dev.mcpaudit.queryapi.store.StoreCorpus;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on the embedded Lucene indexes, written the way the indexer writes them: the
 * events out of time order over several commits (so segments overlap in time), the alerts in their
 * own index.
 */
class LuceneEventStoreContractTest extends EventStoreContract {
  /** Static: the corpus is loaded once, before the instance's fields are prepared. */
  @TempDir static Path dir;

  private final List<AutoCloseable> opened = new ArrayList<>();

  @Override
  protected EventStore load(StoreCorpus corpus) throws Exception {
    List<AuthzEvent> shuffled = new ArrayList<>(corpus.events());
    Collections.shuffle(shuffled, new Random(5));
    try (EventIndex index = EventIndex.open(dir.resolve("index"), 16)) {
      long offset = 0;
      for (AuthzEvent e : shuffled) {
        byte[] raw = EventCodec.encode(e);
        index.append(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, offset++, 0)));
        if (offset % 700 == 0) {
          index.commit(Map.of("decisions-0", offset));
        }
      }
      index.commit(Map.of("decisions-0", offset));
    }
    try (AlertIndex alerts = AlertIndex.open(dir.resolve("alerts"))) {
      for (Alert a : corpus.alerts()) {
        byte[] json = EventCodec.mapper().writeValueAsBytes(a);
        alerts.write(
            new AlertStore.Recorded(
                a.tenant(), a.alertId(), a.detectedAt(), json, corpus.track(a.alertId())));
      }
      alerts.commit(Map.of());
    }
    SearcherManager events = open(dir.resolve("index"));
    SearcherManager alerts = open(dir.resolve("alerts"));
    StoreThreads threads = StoreThreads.start(2);
    opened.add(threads);
    return LuceneEventStore.direct(
        events, alerts, QueryLimits.defaults(Duration.ofSeconds(30)), threads);
  }

  private SearcherManager open(Path path) throws Exception {
    FSDirectory fs = FSDirectory.open(path);
    SearcherManager searchers = new SearcherManager(DirectoryReader.open(fs), null);
    opened.add(fs);
    opened.add(searchers);
    return searchers;
  }

  @AfterAll
  void close() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }
}
