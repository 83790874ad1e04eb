package dev.mcpaudit.queryapi.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.CursorKey;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.search.SearchGate;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The configurable limits: leading wildcards off unless switched on, clause count capped, both
 * answered 400.
 */
class QueryLimitsTest {
  private static final Instant START = Instant.parse("2026-11-26T08:00:00Z");
  private static final Caller ALL = new Caller("t", Role.ANALYST, Set.of(), true);
  private static final TimeRange RANGE =
      new TimeRange(START.minusSeconds(60), START.plusSeconds(3600));
  private final int clausesBefore = IndexSearcher.getMaxClauseCount();

  @AfterEach
  void restore() {
    IndexSearcher.setMaxClauseCount(clausesBefore);
  }

  private static SearcherManager smallIndex() throws Exception {
    ByteBuffersDirectory dir = new ByteBuffersDirectory();
    try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig())) {
      SyntheticEvents gen = new SyntheticEvents(3, START);
      for (int i = 0; i < 200; i++) {
        byte[] raw = EventCodec.encode(gen.next());
        w.addDocument(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      }
    }
    return StoreFixture.searchers(dir);
  }

  private static LuceneEventStore store(SearcherManager index, TermPolicy terms) {
    return LuceneEventStore.direct(
        index,
        index,
        new QueryLimits(
            Duration.ofSeconds(5),
            IndexSearcher.getMaxClauseCount(),
            terms,
            CursorKey.random(),
            SearchGate.Limits.forThisMachine()),
        StoreFixture.THREADS);
  }

  @Test
  void leadingWildcardsAreRefusedByDefaultAndWorkWhenSwitchedOn() throws Exception {
    SearcherManager index = smallIndex();
    EventQuery leading = new EventQuery("tool.name:*_issue", RANGE);
    assertThatThrownBy(
            () -> store(index, TermPolicy.DEFAULT).count(TenantScope.of(ALL, null), leading))
        .isInstanceOf(InvalidQuery.class)
        .hasMessageContaining("q:");
    long hits =
        store(index, new TermPolicy(3, true, false, false, false))
            .count(TenantScope.of(ALL, null), leading);
    assertThat(hits).isPositive();
  }

  @Test
  void aQueryPastTheClauseLimitIsA400NotAHang() throws Exception {
    LuceneEventStore store = store(smallIndex(), TermPolicy.DEFAULT);
    IndexSearcher.setMaxClauseCount(16);
    String many =
        IntStream.range(0, 40)
            .mapToObj(i -> "event_id:ev-" + i)
            .collect(Collectors.joining(" OR "));
    assertThatThrownBy(() -> store.count(TenantScope.of(ALL, null), new EventQuery(many, RANGE)))
        .isInstanceOf(InvalidQuery.class)
        .hasMessageContaining("clauses");
    // Within the limit the same kind of query runs.
    String few =
        IntStream.range(0, 10)
            .mapToObj(i -> "event_id:ev-3-" + i)
            .collect(Collectors.joining(" OR "));
    long found = store.count(TenantScope.of(ALL, null), new EventQuery(few, RANGE));
    assertThat(found).isEqualTo(10);
  }
}
