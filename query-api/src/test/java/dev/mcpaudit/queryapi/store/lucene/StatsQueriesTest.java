package dev.mcpaudit.queryapi.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.store.Histogram;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.TopValues;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Top values count exactly what matched, over several segments, and refuse to count past the cap of
 * distinct values.
 */
class StatsQueriesTest {
  private static final Instant START = Instant.parse("2026-11-26T08:00:00Z");
  private static final List<AuthzEvent> events = new ArrayList<>();
  private static Searchers index;

  @BeforeAll
  static void smallIndex() throws Exception {
    events.addAll(StoreFixture.synthetic(11, START, 2_000));
    ByteBuffersDirectory dir = StoreFixture.index(events, 600);
    index = new Searchers(StoreFixture.searchers(dir), Duration.ofSeconds(5), null);
  }

  @Test
  void topValuesEqualTheBruteForceCountsOfTheMatches() {
    TopValues top =
        new StatsQueries(index, TopValues.MAX_VALUES)
            .top(
                new TermQuery(new Term(IndexSchema.TENANT, "tenant-1")),
                IndexSchema.ACTOR_ID,
                1000);
    Map<String, long[]> want = new TreeMap<>();
    events.stream()
        .filter(e -> e.tenant().equals("tenant-1"))
        .forEach(
            e -> {
              long[] c = want.computeIfAbsent(e.actor().id(), k -> new long[3]);
              c[0]++;
              c[e.decision() == Decision.ALLOW ? 1 : 2]++;
            });
    assertThat(top.buckets()).hasSize(want.size());
    for (TopValues.Bucket b : top.buckets()) {
      assertThat(new long[] {b.count(), b.allow(), b.deny()})
          .as(b.value())
          .containsExactly(want.get(b.value()));
    }
  }

  @Test
  void pastTheCapOfDistinctMatchedValuesTheAnswerIsA400NamingTheField() {
    StatsQueries capped = new StatsQueries(index, 50);
    assertThatThrownBy(() -> capped.top(new MatchAllDocsQuery(), IndexSchema.EVENT_ID, 10))
        .isInstanceOf(InvalidQuery.class)
        .satisfies(
            e -> assertThat(e.getMessage()).startsWith("field: more than 50 distinct values"));
    // A query that matches few of those values is counted whatever the dictionary holds.
    String id = events.get(7).eventId();
    assertThat(
            capped
                .top(new TermQuery(new Term(IndexSchema.EVENT_ID, id)), IndexSchema.EVENT_ID, 10)
                .buckets())
        .singleElement()
        .satisfies(b -> assertThat(b.value()).isEqualTo(id));
  }

  @Test
  void histogramBucketsAtTheEdgesOfTimeStayInRange() {
    long from = events.get(0).occurredAt().toEpochMilli();
    Histogram h =
        new StatsQueries(index, TopValues.MAX_VALUES)
            .histogram(
                LongPoint.newRangeQuery(IndexSchema.OCCURRED_AT, Long.MIN_VALUE, Long.MAX_VALUE),
                from,
                Long.MAX_VALUE / 2,
                3);
    assertThat(h.buckets()).hasSize(3);
    assertThat(h.buckets().get(0).allow() + h.buckets().get(0).deny()).isEqualTo(events.size());
    assertThat(h.buckets().get(2).start()).isEqualTo(Long.MAX_VALUE);
  }
}
