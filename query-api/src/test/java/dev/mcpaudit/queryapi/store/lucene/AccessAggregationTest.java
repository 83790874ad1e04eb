package dev.mcpaudit.queryapi.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.AccessReport;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Past its cap of distinct tools and handles a summary stays exact in its totals and says what it
 * left out.
 */
class AccessAggregationTest {
  private static final Instant START = Instant.parse("2026-11-26T08:00:00Z");
  private static final Caller ADMIN = new Caller("root", Role.ADMIN, Set.of(), true);
  private static final List<AuthzEvent> events = new ArrayList<>();
  private static SearcherManager searchers;

  @BeforeAll
  static void indexOverSeveralSegments() throws Exception {
    events.addAll(StoreFixture.synthetic(5, START, 3_000));
    ByteBuffersDirectory dir = StoreFixture.index(events, 700);
    searchers = StoreFixture.searchers(dir);
  }

  @Test
  void pastTheCapListedPlusOmittedIsEveryDecision() {
    String actor = busiestActor();
    List<AuthzEvent> mine =
        events.stream()
            .filter(e -> e.kind() == EventKind.DECISION && actor.equals(e.actor().id()))
            .toList();
    long withHandle = mine.stream().filter(e -> e.handle() != null).count();
    TimeRange range = new TimeRange(START.minusSeconds(60), START.plus(Duration.ofDays(30)));

    AccessReport full =
        store(AccessReport.DISTINCT_CAP)
            .access(TenantScope.of(ADMIN, null), AccessReport.Subject.ACTOR, actor, range);
    assertThat(full.omitted()).isEmpty();
    assertThat(full.totals().decisions()).isEqualTo(mine.size());

    AccessReport capped =
        store(3).access(TenantScope.of(ADMIN, null), AccessReport.Subject.ACTOR, actor, range);
    assertThat(capped.totals().decisions()).isEqualTo(mine.size());
    assertThat(capped.tools()).hasSize(3);
    assertThat(capped.handles()).hasSize(3);
    AccessReport.Omitted omitted = capped.omitted().orElseThrow();
    assertThat(omitted.cap()).isEqualTo(3);
    long listedTools = capped.tools().stream().mapToLong(t -> t.allow() + t.deny()).sum();
    long listedHandles =
        capped.handles().stream().mapToLong(AccessReport.HandleUse::decisions).sum();
    assertThat(listedTools + omitted.toolDecisions()).isEqualTo(mine.size());
    assertThat(listedHandles + omitted.handleDecisions()).isEqualTo(withHandle);
    assertThat(omitted.toolDecisions()).isPositive();
    assertThat(omitted.handleDecisions()).isPositive();
  }

  private static LuceneEventStore store(int distinctCap) {
    return LuceneEventStore.direct(
        searchers,
        searchers,
        QueryLimits.defaults(Duration.ofSeconds(5)),
        StoreFixture.THREADS,
        1000,
        distinctCap);
  }

  private static String busiestActor() {
    return events.stream()
        .filter(e -> e.kind() == EventKind.DECISION)
        .collect(Collectors.groupingBy(e -> e.actor().id(), Collectors.counting()))
        .entrySet()
        .stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElseThrow();
  }
}
