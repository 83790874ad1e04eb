package dev.mcpaudit.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.search.IndexSearcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention on a real on-disk index: old events leave search and the directory gets smaller. */
class RetentionTest {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  @TempDir Path dir;

  @Test
  void oldEventsDisappearAndTheIndexShrinks() throws Exception {
    Set<String> recent = new HashSet<>();
    AtomicInteger commits = new AtomicInteger();
    try (EventIndex index = EventIndex.open(dir, 16)) {
      put(index, new SyntheticEvents(1, NOW.minus(Duration.ofDays(45))), 20_000, null);
      index.commit(Map.of("t:0", 20_000L));
      put(index, new SyntheticEvents(2, NOW.minus(Duration.ofDays(2))), 5_000, recent);
      index.commit(Map.of("t:0", 25_000L));
      long before = index.sizeOnDisk();
      assertThat(index.liveDocs()).isEqualTo(25_000);

      Retention retention =
          new Retention(
              index,
              Duration.ofDays(30),
              Clock.fixed(NOW, ZoneOffset.UTC),
              commits::incrementAndGet);
      assertThat(retention.run()).isEqualTo(20_000);
      assertThat(commits.get()).isEqualTo(1);
      index.commit(Map.of("t:0", 25_000L)); // what the indexer loop does when asked

      index.searchers().maybeRefreshBlocking();
      IndexSearcher s = index.searchers().acquire();
      try {
        long cutoff = NOW.minus(Duration.ofDays(30)).toEpochMilli();
        assertThat(
                s.count(LongPoint.newRangeQuery(IndexSchema.OCCURRED_AT, Long.MIN_VALUE, cutoff)))
            .isZero();
        assertThat(new HashSet<>(EventIndex.eventIds(s.getIndexReader()))).isEqualTo(recent);
      } finally {
        index.searchers().release(s);
      }
      long after = index.sizeOnDisk();
      assertThat(after).isLessThan(before / 2);
      assertThat(retention.run()).isZero(); // nothing left to remove
    }
  }

  private static void put(EventIndex index, SyntheticEvents gen, int n, Set<String> ids)
      throws Exception {
    for (int i = 0; i < n; i++) {
      AuthzEvent e = gen.next();
      byte[] raw = EventCodec.encode(e);
      index.append(
          IndexSchema.document(
              EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      if (ids != null) {
        ids.add(e.eventId());
      }
    }
  }
}
