package dev.mcpaudit.queryapi.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.CursorKey;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.search.SearchGate;
import dev.mcpaudit.queryapi.store.EventPage;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.Position;
import dev.mcpaudit.queryapi.store.Saturating;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.Test;

/**
 * Newest-first pages come from windows that widen from the top of the range; whatever the spacing
 * of the events, the pages must be exactly the brute-force order (occurred_at desc, event_id as
 * tie-break), each event once, and the totals exact.
 */
class NewestFirstTest {
  private static final Caller ALL = new Caller("t", Role.ANALYST, Set.of(), true);
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  @Test
  void sparseAndDenseEventsPageInExactlyTheBruteForceOrder() throws Exception {
    // 400 events: a dense burst (same millisecond pairs), then one every 17 minutes over ~4 days,
    // so pages need windows of 1 h, 8 h, 64 h and the whole range.
    List<AuthzEvent> events = new ArrayList<>();
    SyntheticEvents gen = new SyntheticEvents(21, T0);
    for (int i = 0; i < 400; i++) {
      AuthzEvent e = gen.next();
      Instant at =
          i < 60
              ? T0.plus(Duration.ofDays(5)).minusMillis(i / 2)
              : T0.plus(Duration.ofMinutes(17L * i));
      events.add(e.toBuilder().occurredAt(at).receivedAt(null).build());
    }
    ByteBuffersDirectory dir = StoreFixture.index(events, 97);
    LuceneEventStore store = StoreFixture.store(StoreFixture.searchers(dir), Duration.ofSeconds(5));
    TimeRange range = new TimeRange(T0.minusSeconds(1), T0.plus(Duration.ofDays(30)));

    List<String> expected =
        events.stream()
            .sorted(
                Comparator.comparing(AuthzEvent::occurredAt)
                    .reversed()
                    .thenComparing(AuthzEvent::eventId))
            .map(AuthzEvent::eventId)
            .toList();
    for (int limit : new int[] {1, 7, 50, 400}) {
      List<String> walked = new ArrayList<>();
      Optional<Position> after = Optional.empty();
      do {
        EventPage page =
            store.search(TenantScope.of(ALL, null), new EventQuery(null, range), after, limit);
        assertThat(page.total()).isEqualTo(400);
        page.events().forEach(e -> walked.add(e.get("event_id").asText()));
        after = page.last();
      } while (after.isPresent());
      assertThat(walked).as("limit " + limit).isEqualTo(expected);
    }
    // A filter that leaves few, old matches still finds them (widening down to the range start).
    String oldest = events.get(60).eventId();
    EventPage one =
        store.search(
            TenantScope.of(ALL, null),
            new EventQuery("event_id:" + oldest, range),
            Optional.empty(),
            10);
    assertThat(one.events().stream().map(e -> e.get("event_id").asText()).toList())
        .containsExactly(oldest);

    // The widest bounds a long can hold: the windows saturate and stop, however empty they are.
    org.apache.lucene.search.IndexSearcher searcher =
        new org.apache.lucene.search.IndexSearcher(DirectoryReader.open(dir));
    var top =
        EventSearch.newestInWindows(
            searcher,
            new org.apache.lucene.search.MatchAllDocsQuery(),
            null,
            1000,
            Long.MIN_VALUE,
            Long.MAX_VALUE);
    assertThat(top.scoreDocs).hasSize(400);
    var none =
        EventSearch.newestInWindows(
            searcher,
            new org.apache.lucene.search.MatchNoDocsQuery(),
            null,
            10,
            Long.MIN_VALUE,
            Long.MAX_VALUE);
    assertThat(none.scoreDocs).isEmpty();
    assertThat(Saturating.subtract(Long.MAX_VALUE, Long.MIN_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.subtract(Long.MIN_VALUE, 1)).isEqualTo(Long.MIN_VALUE);
    assertThat(Saturating.subtract(5, 7)).isEqualTo(-2);
  }

  @Test
  void aFuzzyTermIsExpandedOncePerPageNotOncePerWindow() throws Exception {
    // One event every 17 minutes over ~4.7 days: a page of 400 tries windows of 1 h, 8 h, 64 h and
    // the whole range.
    List<AuthzEvent> spaced = new ArrayList<>();
    SyntheticEvents gen = new SyntheticEvents(22, T0);
    for (int i = 0; i < 400; i++) {
      spaced.add(
          gen.next().toBuilder()
              .occurredAt(T0.plus(Duration.ofMinutes(17L * i)))
              .receivedAt(null)
              .build());
    }
    ByteBuffersDirectory dir = StoreFixture.index(spaced, 97);
    java.util.concurrent.atomic.AtomicInteger walks =
        new java.util.concurrent.atomic.AtomicInteger();
    DirectoryReader counting =
        WalkCounting.wrap(DirectoryReader.open(dir), IndexSchema.TOOL_NAME, walks);
    TermPolicy fuzzy = new TermPolicy(3, false, false, true, false);
    SearcherManager searchers = new SearcherManager(counting, null);
    LuceneEventStore store =
        LuceneEventStore.direct(
            searchers,
            searchers,
            new QueryLimits(
                Duration.ofSeconds(5),
                1024,
                fuzzy,
                CursorKey.random(),
                SearchGate.Limits.forThisMachine()),
            StoreFixture.THREADS);
    Queries queries = new Queries(new Searchers(searchers, Duration.ofSeconds(5), null), fuzzy);
    TimeRange range = new TimeRange(T0.minusSeconds(1), T0.plus(Duration.ofDays(30)));

    // What one expansion of the term walks, on the same path a request takes.
    org.apache.lucene.search.IndexSearcher once =
        new org.apache.lucene.search.IndexSearcher(TimeLimitedReader.wrap(counting, () -> false));
    once.rewrite(
        queries.events(TenantScope.of(ALL, null), new EventQuery("tool.name:create_isue~", range)));
    int oneExpansion = walks.getAndSet(0);
    assertThat(oneExpansion).isPositive();

    EventPage page =
        store.search(
            TenantScope.of(ALL, null),
            new EventQuery("tool.name:create_isue~", range),
            Optional.empty(),
            400);
    assertThat(page.total()).isPositive().isLessThan(400);
    assertThat(page.events()).hasSize((int) page.total());
    assertThat(walks.get()).isEqualTo(oneExpansion);
  }

  /**
   * Counts the terms visited in one field's dictionary by walks (next and seekCeil; a term query's
   * exact seek is no walk).
   */
  private static final class WalkCounting extends org.apache.lucene.index.FilterDirectoryReader {
    private final String field;
    private final java.util.concurrent.atomic.AtomicInteger walks;

    static DirectoryReader wrap(
        DirectoryReader in, String field, java.util.concurrent.atomic.AtomicInteger walks)
        throws java.io.IOException {
      return new WalkCounting(in, field, walks);
    }

    private WalkCounting(
        DirectoryReader in, String field, java.util.concurrent.atomic.AtomicInteger walks)
        throws java.io.IOException {
      super(
          in,
          new SubReaderWrapper() {
            @Override
            public org.apache.lucene.index.LeafReader wrap(
                org.apache.lucene.index.LeafReader reader) {
              return new org.apache.lucene.index.FilterLeafReader(reader) {
                @Override
                public org.apache.lucene.index.Terms terms(String f) throws java.io.IOException {
                  org.apache.lucene.index.Terms t = in.terms(f);
                  return t == null || !f.equals(field)
                      ? t
                      : new org.apache.lucene.index.FilterLeafReader.FilterTerms(t) {
                        @Override
                        public org.apache.lucene.index.TermsEnum iterator()
                            throws java.io.IOException {
                          return new org.apache.lucene.index.FilterLeafReader.FilterTermsEnum(
                              in.iterator()) {
                            @Override
                            public org.apache.lucene.util.BytesRef next()
                                throws java.io.IOException {
                              walks.incrementAndGet();
                              return in.next();
                            }

                            @Override
                            public SeekStatus seekCeil(org.apache.lucene.util.BytesRef text)
                                throws java.io.IOException {
                              walks.incrementAndGet();
                              return in.seekCeil(text);
                            }
                          };
                        }

                        @Override
                        public org.apache.lucene.index.TermsEnum intersect(
                            org.apache.lucene.util.automaton.CompiledAutomaton a,
                            org.apache.lucene.util.BytesRef start)
                            throws java.io.IOException {
                          throw new AssertionError(
                              "requests walk the dictionary through the deadline's iterator");
                        }
                      };
                }

                @Override
                public CacheHelper getCoreCacheHelper() {
                  return in.getCoreCacheHelper();
                }

                @Override
                public CacheHelper getReaderCacheHelper() {
                  return in.getReaderCacheHelper();
                }
              };
            }
          });
      this.field = field;
      this.walks = walks;
    }

    @Override
    protected DirectoryReader doWrapDirectoryReader(DirectoryReader in) throws java.io.IOException {
      return new WalkCounting(in, field, walks);
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
      return in.getReaderCacheHelper();
    }
  }
}
