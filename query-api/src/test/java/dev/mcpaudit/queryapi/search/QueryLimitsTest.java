package dev.mcpaudit.queryapi.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.lucene.index.DirectoryReader;
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

  private static IndexAccess smallIndex() throws Exception {
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
    return new IndexAccess(
        new SearcherManager(DirectoryReader.open(dir), null), Duration.ofSeconds(5));
  }

  @Test
  void leadingWildcardsAreRefusedByDefaultAndWorkWhenSwitchedOn() throws Exception {
    IndexAccess index = smallIndex();
    assertThatThrownBy(
            () ->
                new DecisionSearch(index)
                    .compose(TenantScope.of(ALL, null), "tool.name:*_issue", RANGE))
        .isInstanceOf(InvalidQuery.class)
        .hasMessageContaining("q:");
    var q =
        new DecisionSearch(index, new TermPolicy(3, true, false, false, false), CursorKey.random())
            .compose(TenantScope.of(ALL, null), "tool.name:*_issue", RANGE);
    long hits = index.read(s -> (long) s.count(q));
    assertThat(hits).isPositive();
  }

  @Test
  void aQueryPastTheClauseLimitIsA400NotAHang() throws Exception {
    IndexAccess index = smallIndex();
    IndexSearcher.setMaxClauseCount(16);
    String many =
        IntStream.range(0, 40)
            .mapToObj(i -> "event_id:ev-" + i)
            .collect(Collectors.joining(" OR "));
    assertThatThrownBy(
            () ->
                index.read(
                    s ->
                        s.count(
                            new DecisionSearch(index)
                                .compose(TenantScope.of(ALL, null), many, RANGE))))
        .isInstanceOf(InvalidQuery.class)
        .hasMessageContaining("clauses");
    // Within the limit the same kind of query runs.
    String few =
        IntStream.range(0, 10)
            .mapToObj(i -> "event_id:ev-3-" + i)
            .collect(Collectors.joining(" OR "));
    int found =
        index.read(
            s -> s.count(new DecisionSearch(index).compose(TenantScope.of(ALL, null), few, RANGE)));
    assertThat(found).isEqualTo(10);
  }
}
