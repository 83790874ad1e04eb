package dev.mcpaudit.queryapi.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertState;
import dev.mcpaudit.schema.alert.AlertStatus;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.CloseReason;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link EventStore} must answer, whatever engine is behind it: one corpus ({@link
 * StoreCorpus}), every question of the interface, and expected answers computed here from the
 * events themselves, never read back from a store. An implementation passes by extending this class
 * and loading the corpus into a store of its kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EventStoreContract {
  private static final Caller ADMIN = new Caller("root", Role.ADMIN, Set.of(), true);
  private static final Caller EVERY_TENANT = new Caller("ana", Role.ANALYST, Set.of(), true);
  private static final Caller TENANT_1 = new Caller("bob", Role.ANALYST, Set.of("tenant-1"), false);
  private static final Caller TENANTS_0_2 =
      new Caller("cy", Role.ANALYST, Set.of("tenant-0", "tenant-2"), false);
  private static final TimeRange ALL_DAY =
      new TimeRange(
          StoreCorpus.START.minus(Duration.ofHours(1)),
          StoreCorpus.START.plus(Duration.ofHours(23)));

  private StoreCorpus corpus;
  private EventStore store;

  /** The corpus loaded into a fresh store of the implementation under test, ready to answer. */
  protected abstract EventStore load(StoreCorpus corpus) throws Exception;

  @BeforeAll
  void loadTheCorpus() throws Exception {
    corpus = StoreCorpus.build();
    store = load(corpus);
  }

  /** A question in the search syntax, and what it means for one event. */
  private record Q(String q, Predicate<AuthzEvent> matches) {}

  private static final List<Q> QUERIES =
      List.of(
          new Q("", e -> true),
          new Q("decision:deny", e -> e.decision() == Decision.DENY),
          new Q(
              "tool.name:read_file AND decision:allow",
              e ->
                  e.tool() != null
                      && "read_file".equals(e.tool().name())
                      && e.decision() == Decision.ALLOW),
          new Q(
              "actor.id:\"spiffe://example.org/agent/a-7\"",
              e -> e.actor().id().equals("spiffe://example.org/agent/a-7")));

  private static final List<TenantScope> SCOPES =
      List.of(
          TenantScope.of(EVERY_TENANT, null),
          TenantScope.of(ADMIN, null),
          TenantScope.of(TENANT_1, null),
          TenantScope.of(TENANTS_0_2, null),
          TenantScope.of(EVERY_TENANT, "tenant-2"));

  /** Whether a scope reads a tenant, by the rules of {@link TenantScope} spelled out again. */
  private static boolean sees(TenantScope scope, String tenant) {
    if (scope.tenant().isPresent()) {
      return scope.tenant().get().equals(tenant);
    }
    if (tenant.equals(Caller.SYSTEM_TENANT)) {
      return scope.caller().role() == Role.ADMIN;
    }
    return scope.caller().allTenants() || scope.caller().tenants().contains(tenant);
  }

  private List<AuthzEvent> matching(TenantScope scope, Q q, TimeRange range) {
    return corpus.events().stream()
        .filter(e -> sees(scope, e.tenant()))
        .filter(e -> !e.occurredAt().isBefore(range.from()) && e.occurredAt().isBefore(range.to()))
        .filter(q.matches())
        .toList();
  }

  private static final Comparator<AuthzEvent> NEWEST_FIRST =
      Comparator.comparing(AuthzEvent::occurredAt).reversed().thenComparing(AuthzEvent::eventId);

  @Test
  void searchPagesWalkEveryMatchNewestFirstExactlyOnce() {
    for (TenantScope scope : SCOPES) {
      for (Q q : QUERIES) {
        List<String> expected =
            matching(scope, q, ALL_DAY).stream()
                .sorted(NEWEST_FIRST)
                .map(AuthzEvent::eventId)
                .toList();
        List<String> walked = new ArrayList<>();
        Optional<Position> after = Optional.empty();
        int pages = 0;
        do {
          EventPage page = store.search(scope, new EventQuery(q.q(), ALL_DAY), after, 97);
          assertThat(page.total()).as(q.q() + " in " + scope).isEqualTo(expected.size());
          assertThat(page.events()).hasSizeLessThanOrEqualTo(97);
          page.events().forEach(e -> walked.add(e.get("event_id").asText()));
          assertThat(page.last().isPresent()).isEqualTo(page.events().size() == 97);
          after = page.last();
          pages++;
        } while (after.isPresent() && pages < 1_000);
        assertThat(walked).as(q.q() + " in " + scope).isEqualTo(expected);
      }
    }
  }

  @Test
  void aPageResumesRightAfterAPositionEvenWhenItsEventIsGone() {
    TenantScope scope = TenantScope.of(EVERY_TENANT, null);
    List<AuthzEvent> all =
        matching(scope, QUERIES.get(0), ALL_DAY).stream().sorted(NEWEST_FIRST).toList();
    AuthzEvent pivot = all.get(500);
    // A position no event holds: the pivot's millisecond, an id just past the pivot's.
    Position between = new Position(pivot.occurredAt().toEpochMilli(), pivot.eventId() + "~");
    List<String> expected =
        all.stream()
            .filter(
                e ->
                    e.occurredAt().toEpochMilli() < between.occurredAt()
                        || (e.occurredAt().toEpochMilli() == between.occurredAt()
                            && e.eventId().compareTo(between.eventId()) > 0))
            .limit(10)
            .map(AuthzEvent::eventId)
            .toList();
    EventPage page = store.search(scope, new EventQuery("", ALL_DAY), Optional.of(between), 10);
    assertThat(page.events().stream().map(e -> e.get("event_id").asText()).toList())
        .isEqualTo(expected);
  }

  @Test
  void countsAreExact() {
    for (TenantScope scope : SCOPES) {
      for (Q q : QUERIES) {
        TimeRange firstHour =
            new TimeRange(StoreCorpus.START, StoreCorpus.START.plus(Duration.ofHours(1)));
        for (TimeRange range : List.of(ALL_DAY, firstHour)) {
          assertThat(store.count(scope, new EventQuery(q.q(), range)))
              .as(q.q() + " in " + scope + " over " + range)
              .isEqualTo(matching(scope, q, range).size());
        }
      }
    }
  }

  @Test
  void anEventByIdIsTheStoredEventOfATenantInScope() throws Exception {
    AuthzEvent some =
        corpus.events().stream()
            .filter(e -> e.tenant().equals("tenant-1"))
            .findFirst()
            .orElseThrow();
    StoredEvent found = store.event(TenantScope.of(TENANT_1, null), some.eventId()).orElseThrow();
    assertThat(found.event()).isEqualTo(json(some));
    assertThat(store.event(TenantScope.of(TENANTS_0_2, null), some.eventId())).isEmpty();
    assertThat(store.event(TenantScope.of(EVERY_TENANT, null), "no-such-event")).isEmpty();
    // The audit trail is the admins'.
    assertThat(store.event(TenantScope.of(EVERY_TENANT, null), "audit-0")).isEmpty();
    assertThat(
            store
                .event(TenantScope.of(ADMIN, null), "audit-0")
                .orElseThrow()
                .event()
                .get("tenant")
                .asText())
        .isEqualTo(Caller.SYSTEM_TENANT);
  }

  @Test
  void anIdHeldByTwoTenantsInScopeIsAmbiguousAndOneTenantPicksIt() {
    assertThatThrownBy(() -> store.event(TenantScope.of(EVERY_TENANT, null), StoreCorpus.SHARED_ID))
        .isInstanceOfSatisfying(
            AmbiguousEventId.class,
            e -> assertThat(e.getMessage()).contains("tenant-0").contains("tenant-2"));
    assertThat(
            store
                .event(TenantScope.of(EVERY_TENANT, "tenant-2"), StoreCorpus.SHARED_ID)
                .orElseThrow()
                .event()
                .get("tenant")
                .asText())
        .isEqualTo("tenant-2");
    assertThat(store.event(TenantScope.of(TENANT_1, null), StoreCorpus.SHARED_ID)).isEmpty();
  }

  @Test
  void anAccessSummaryAddsUpEveryDecisionOfTheActorOrUser() {
    TenantScope scope = TenantScope.of(EVERY_TENANT, null);
    String actor = busiest(e -> e.actor().id());
    assertThat(store.access(scope, AccessReport.Subject.ACTOR, actor, ALL_DAY))
        .isEqualTo(expectedAccess(scope, AccessReport.Subject.ACTOR, actor, ALL_DAY));
    String user = busiest(e -> e.actor().onBehalfOf());
    TimeRange twoHours =
        new TimeRange(StoreCorpus.START, StoreCorpus.START.plus(Duration.ofHours(2)));
    assertThat(store.access(scope, AccessReport.Subject.ON_BEHALF_OF, user, twoHours))
        .isEqualTo(expectedAccess(scope, AccessReport.Subject.ON_BEHALF_OF, user, twoHours));
    // Another tenant's actor is nobody here.
    AccessReport none =
        store.access(
            TenantScope.of(TENANT_1, null),
            AccessReport.Subject.ACTOR,
            actorOf("tenant-0"),
            ALL_DAY);
    assertThat(none.totals()).isEqualTo(new AccessReport.Totals(0, 0, 0));
    assertThat(none.tools()).isEmpty();
  }

  @Test
  void aHandleTimelineTellsItsWholeLife() {
    for (String handle :
        List.of(
            StoreCorpus.LIFE_HANDLE, busiest(e -> e.handle() == null ? null : e.handle().id()))) {
      TenantScope scope = TenantScope.of(EVERY_TENANT, "tenant-2"); // a handle is read whole
      assertThat(store.handle(scope, handle)).as(handle).contains(expectedHandle(scope, handle));
    }
    assertThat(store.handle(TenantScope.of(TENANTS_0_2, null), StoreCorpus.LIFE_HANDLE)).isEmpty();
    assertThat(store.handle(TenantScope.of(EVERY_TENANT, null), "h-never")).isEmpty();
  }

  @Test
  void topValuesCountEveryMatchMostFirst() {
    for (TenantScope scope : SCOPES) {
      for (String field :
          List.of(IndexSchema.TOOL_NAME, IndexSchema.DECISION, IndexSchema.TENANT)) {
        for (int size : new int[] {3, 100}) {
          TopValues top = store.top(scope, new EventQuery("", ALL_DAY), field, size);
          assertThat(top).as(field + " in " + scope).isEqualTo(expectedTop(scope, field, size));
        }
      }
    }
  }

  @Test
  void aHistogramBucketsEveryDecisionAndSaysWhenTheyBeganAndEnded() {
    TimeRange fourHours =
        new TimeRange(StoreCorpus.START, StoreCorpus.START.plus(Duration.ofHours(4)));
    long interval = Duration.ofMinutes(15).toMillis();
    for (TenantScope scope : SCOPES) {
      for (Q q : QUERIES) {
        Histogram h = store.histogram(scope, new EventQuery(q.q(), fourHours), interval, 16);
        assertThat(h)
            .as(q.q() + " in " + scope)
            .isEqualTo(expectedHistogram(scope, q, fourHours, interval, 16));
      }
    }
    TimeRange empty =
        new TimeRange(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-01-02T00:00:00Z"));
    Histogram none =
        store.histogram(TenantScope.of(ADMIN, null), new EventQuery("", empty), 3_600_000, 24);
    assertThat(none.firstSeen()).isEmpty();
    assertThat(none.lastSeen()).isEmpty();
    assertThat(none.buckets())
        .hasSize(24)
        .allSatisfy(b -> assertThat(b.allow() + b.deny()).isZero());
  }

  @Test
  void alertsAreTheNewestOfTheScopeThatMatch() {
    record A(TenantScope scope, AlertQuery query, Predicate<Alert> matches) {}
    TimeRange range = ALL_DAY;
    List<A> asked =
        List.of(
            new A(
                TenantScope.of(EVERY_TENANT, null),
                alertQuery(range, Optional.empty(), Optional.empty(), Optional.empty(), 5),
                a -> true),
            new A(
                TenantScope.of(TENANT_1, null),
                alertQuery(range, Optional.empty(), Optional.empty(), Optional.empty(), 100),
                a -> true),
            new A(
                TenantScope.of(TENANTS_0_2, null),
                alertQuery(
                    range,
                    Optional.of(AlertType.values()[0]),
                    Optional.empty(),
                    Optional.empty(),
                    100),
                a -> a.type() == AlertType.values()[0]),
            new A(
                TenantScope.of(EVERY_TENANT, null),
                alertQuery(
                    range,
                    Optional.empty(),
                    Optional.of(StoreCorpus.LIFE_HANDLE),
                    Optional.empty(),
                    3),
                a -> StoreCorpus.LIFE_HANDLE.equals(a.handle())),
            new A(
                TenantScope.of(EVERY_TENANT, null),
                alertQuery(range, Optional.empty(), Optional.empty(), Optional.of("ev-77-103"), 10),
                a -> a.evidence().contains("ev-77-103")),
            new A(
                TenantScope.of(EVERY_TENANT, null),
                alertQuery(
                    new TimeRange(StoreCorpus.START, StoreCorpus.START.plus(Duration.ofHours(1))),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    100),
                a -> a.detectedAt().isBefore(StoreCorpus.START.plus(Duration.ofHours(1)))));
    for (A a : asked) {
      List<Alert> want =
          corpus.alerts().stream()
              .filter(x -> sees(a.scope(), x.tenant()))
              .filter(a.matches())
              .sorted(Comparator.comparing(Alert::detectedAt).reversed())
              .toList();
      AlertPage page = store.alerts(a.scope(), a.query());
      assertThat(page.total()).as(a.toString()).isEqualTo(want.size());
      assertThat(page.alerts().stream().map(x -> x.get("alert_id").asText()).toList())
          .as(a.toString())
          .isEqualTo(want.stream().limit(a.query().limit()).map(Alert::alertId).toList());
    }
  }

  @Test
  void alertsCarryTheirWorkflowStateFilterAndCountByIt() {
    record W(Optional<AlertStatus> status, Optional<String> assignee) {}
    List<W> asked = new ArrayList<>();
    for (Optional<AlertStatus> s :
        List.of(
            Optional.<AlertStatus>empty(),
            Optional.of(AlertStatus.OPEN),
            Optional.of(AlertStatus.ACKNOWLEDGED),
            Optional.of(AlertStatus.CLOSED))) {
      for (Optional<String> who :
          List.of(
              Optional.<String>empty(),
              Optional.of("alice"),
              Optional.of("bob"),
              Optional.of(AlertQuery.UNASSIGNED))) {
        asked.add(new W(s, who));
      }
    }
    for (TenantScope scope :
        List.of(TenantScope.of(EVERY_TENANT, null), TenantScope.of(TENANT_1, null))) {
      List<Alert> inScope =
          corpus.alerts().stream()
              .filter(x -> sees(scope, x.tenant()))
              .sorted(Comparator.comparing(Alert::detectedAt).reversed())
              .toList();
      for (W w : asked) {
        AlertQuery q =
            new AlertQuery(
                ALL_DAY,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                w.status(),
                w.assignee(),
                100);
        List<Alert> want =
            inScope.stream()
                .filter(
                    a -> {
                      AlertState st = corpus.track(a.alertId()).state();
                      return w.status().map(x -> x == st.status()).orElse(true)
                          && w.assignee()
                              .map(
                                  x ->
                                      x.equals(AlertQuery.UNASSIGNED)
                                          ? st.assignee() == null
                                          : x.equals(st.assignee()))
                              .orElse(true);
                    })
                .toList();
        AlertPage page = store.alerts(scope, q);
        String as = scope.tenants() + " " + w;
        assertThat(page.total()).as(as).isEqualTo(want.size());
        assertThat(page.alerts().stream().map(x -> x.get("alert_id").asText()).toList())
            .as(as)
            .isEqualTo(want.stream().map(Alert::alertId).toList());
        for (JsonNode got : page.alerts()) {
          AlertTrack t = corpus.track(got.get("alert_id").asText());
          JsonNode st = got.get("state");
          assertThat(st.get("status").asText()).as(as).isEqualTo(t.state().status().wire());
          assertThat(st.get("assignee").isNull() ? null : st.get("assignee").asText())
              .isEqualTo(t.state().assignee());
          assertThat(st.get("version").asInt()).isEqualTo(t.version());
          assertThat(st.has("history")).as("a list leaves the history out").isFalse();
        }
        // The counts ignore the workflow filters: every status and assignee of the other filters.
        Map<String, Long> byStatus = new java.util.HashMap<>();
        Map<String, Long> byAssignee = new java.util.HashMap<>();
        for (Alert a : inScope) {
          AlertState st = corpus.track(a.alertId()).state();
          byStatus.merge(st.status().wire(), 1L, Long::sum);
          byAssignee.merge(st.assignee(), 1L, Long::sum);
        }
        assertThat(page.facets()).as(as).isEqualTo(AlertFacets.of(byStatus, byAssignee));
      }
    }
  }

  @Test
  void oneAlertHasItsWholeHistoryAndTheCaseItReRaises() {
    int reRaised = 0;
    int afterFalsePositive = 0;
    for (Alert a : corpus.alerts()) {
      JsonNode got = store.alert(TenantScope.of(EVERY_TENANT, null), a.alertId()).orElseThrow();
      AlertTrack t = corpus.track(a.alertId());
      JsonNode history = got.get("state").get("history");
      assertThat(history).hasSize(t.version());
      for (int i = 0; i < t.version(); i++) {
        assertThat(history.get(i).get("note").asText()).isEqualTo(t.history().get(i).note());
        assertThat(history.get(i).get("by").asText()).isEqualTo(t.history().get(i).by());
        assertThat(history.get(i).get("to").get("status").asText())
            .isEqualTo(t.history().get(i).to().status().wire());
      }
      Optional<Alert> earlier =
          corpus.alerts().stream()
              .filter(
                  x ->
                      x.tenant().equals(a.tenant())
                          && x.type() == a.type()
                          && x.subject().equals(a.subject())
                          && x.detectedAt().isBefore(a.detectedAt()))
              .max(Comparator.comparing(Alert::detectedAt));
      JsonNode previous = got.get("previous");
      if (earlier.isEmpty()) {
        assertThat(previous.isNull()).as(a.alertId()).isTrue();
        continue;
      }
      reRaised++;
      AlertState was = corpus.track(earlier.get().alertId()).state();
      assertThat(previous.get("alert_id").asText()).isEqualTo(earlier.get().alertId());
      assertThat(previous.get("status").asText()).isEqualTo(was.status().wire());
      assertThat(previous.get("false_positive").asBoolean())
          .isEqualTo(was.closeReason() == CloseReason.FALSE_POSITIVE);
      if (was.closeReason() == CloseReason.FALSE_POSITIVE) {
        afterFalsePositive++;
      }
      // The list says the same of the same alert.
      JsonNode listed =
          store
              .alerts(
                  TenantScope.of(EVERY_TENANT, null),
                  alertQuery(ALL_DAY, Optional.empty(), Optional.empty(), Optional.empty(), 100))
              .alerts()
              .stream()
              .filter(x -> x.get("alert_id").asText().equals(a.alertId()))
              .findFirst()
              .orElseThrow();
      assertThat(listed.get("previous")).isEqualTo(previous);
    }
    assertThat(reRaised).as("the corpus re-raises cases").isPositive();
    assertThat(afterFalsePositive).as("some after a false positive").isPositive();
    Alert ofTenant0 =
        corpus.alerts().stream()
            .filter(x -> x.tenant().equals("tenant-0"))
            .findFirst()
            .orElseThrow();
    assertThat(store.alert(TenantScope.of(TENANT_1, null), ofTenant0.alertId()))
        .as("another tenant's alert is not found")
        .isEmpty();
  }

  @Test
  void anExportIsEveryMatchOldestFirstAsStored() throws Exception {
    for (boolean decisionsOnly : new boolean[] {false, true}) {
      TenantScope scope = TenantScope.of(TENANT_1, null);
      List<AuthzEvent> want =
          matching(scope, QUERIES.get(0), ALL_DAY).stream()
              .filter(e -> !decisionsOnly || e.kind() == EventKind.DECISION)
              .toList();
      List<JsonNode> got = new ArrayList<>();
      long rows =
          store
              .export(scope, new EventQuery("", ALL_DAY), decisionsOnly)
              .writeTo((bytes, provenance) -> got.add(EventCodec.mapper().readTree(bytes)));
      assertThat(rows).isEqualTo(want.size());
      assertThat(got.stream().map(e -> Instant.parse(e.get("occurred_at").asText())).toList())
          .isSortedAccordingTo(Comparator.naturalOrder());
      assertThat(got)
          .containsExactlyInAnyOrderElementsOf(
              want.stream().map(EventStoreContract::json).toList());
    }
  }

  @Test
  void noQuestionReachesATenantOutsideTheScope() {
    TenantScope bob = TenantScope.of(TENANT_1, null);
    EventQuery theirs = new EventQuery("tenant:tenant-0 OR tenant:_system", ALL_DAY);
    assertThat(store.count(bob, theirs)).isZero();
    assertThat(store.search(bob, theirs, Optional.empty(), 10).events()).isEmpty();
    assertThat(store.top(bob, new EventQuery("", ALL_DAY), IndexSchema.TENANT, 10).buckets())
        .extracting(TopValues.Bucket::value)
        .containsExactly("tenant-1");
    assertThat(
            store
                .top(
                    TenantScope.of(EVERY_TENANT, null),
                    new EventQuery("", ALL_DAY),
                    IndexSchema.TENANT,
                    10)
                .buckets())
        .extracting(TopValues.Bucket::value)
        .doesNotContain(Caller.SYSTEM_TENANT);
  }

  @Test
  void aQueryTheSyntaxOrThePolicyRefusesIsAnInvalidQuery() {
    TenantScope scope = TenantScope.of(EVERY_TENANT, null);
    for (String q : List.of("tool.name:(", "event_id:*", "actor.id:/spiffe.*/")) {
      assertThatThrownBy(() -> store.count(scope, new EventQuery(q, ALL_DAY)))
          .as(q)
          .isInstanceOf(InvalidQuery.class)
          .hasMessageStartingWith("q:");
      assertThatThrownBy(
              () -> store.export(scope, new EventQuery(q, ALL_DAY), false).writeTo((b, p) -> {}))
          .as(q)
          .isInstanceOf(InvalidQuery.class);
    }
  }

  private static AlertQuery alertQuery(
      TimeRange range,
      Optional<AlertType> type,
      Optional<String> handle,
      Optional<String> event,
      int limit) {
    return new AlertQuery(
        range,
        type,
        Optional.empty(),
        handle,
        Optional.empty(),
        event,
        Optional.empty(),
        Optional.empty(),
        limit);
  }

  private String busiest(Function<AuthzEvent, String> key) {
    return corpus.events().stream()
        .filter(
            e ->
                e.kind() == EventKind.DECISION
                    && key.apply(e) != null
                    && !e.tenant().equals(Caller.SYSTEM_TENANT))
        .collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()))
        .entrySet()
        .stream()
        .max(Map.Entry.comparingByValue())
        .map(Map.Entry::getKey)
        .orElseThrow();
  }

  private String actorOf(String tenant) {
    return corpus.events().stream()
        .filter(e -> e.tenant().equals(tenant))
        .findFirst()
        .orElseThrow()
        .actor()
        .id();
  }

  private static JsonNode json(AuthzEvent e) {
    try {
      return EventCodec.mapper().readTree(EventCodec.encode(e));
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
  }

  private AccessReport expectedAccess(
      TenantScope scope, AccessReport.Subject subject, String id, TimeRange range) {
    List<AuthzEvent> mine =
        corpus.events().stream()
            .filter(e -> sees(scope, e.tenant()) && e.kind() == EventKind.DECISION)
            .filter(
                e -> !e.occurredAt().isBefore(range.from()) && e.occurredAt().isBefore(range.to()))
            .filter(
                e ->
                    id.equals(
                        subject == AccessReport.Subject.ACTOR
                            ? e.actor().id()
                            : e.actor().onBehalfOf()))
            .toList();
    long allow = mine.stream().filter(e -> e.decision() == Decision.ALLOW).count();
    Map<List<String>, List<AuthzEvent>> byTool =
        mine.stream()
            .collect(
                Collectors.groupingBy(
                    e -> List.of(e.tool().server(), e.tool().method(), e.tool().name())));
    List<AccessReport.ToolUse> tools =
        byTool.entrySet().stream()
            .map(
                t -> {
                  List<AuthzEvent> uses = t.getValue();
                  TreeSet<String> handles = new TreeSet<>();
                  uses.stream()
                      .filter(e -> e.handle() != null)
                      .forEach(e -> handles.add(e.handle().id()));
                  long a = uses.stream().filter(e -> e.decision() == Decision.ALLOW).count();
                  return new AccessReport.ToolUse(
                      t.getKey().get(0),
                      t.getKey().get(1),
                      t.getKey().get(2),
                      a,
                      uses.size() - a,
                      uses.stream()
                          .map(AuthzEvent::occurredAt)
                          .min(Comparator.naturalOrder())
                          .orElseThrow(),
                      uses.stream()
                          .map(AuthzEvent::occurredAt)
                          .max(Comparator.naturalOrder())
                          .orElseThrow(),
                      List.of(),
                      handles.stream().limit(AccessReport.MAX_LISTED_PER_TOOL).toList(),
                      0,
                      handles.size());
                })
            .sorted(
                Comparator.comparingLong((AccessReport.ToolUse t) -> -(t.allow() + t.deny()))
                    .thenComparing(AccessReport.ToolUse::server)
                    .thenComparing(AccessReport.ToolUse::method)
                    .thenComparing(AccessReport.ToolUse::name))
            .toList();
    TreeMap<String, Long> denyReasons =
        mine.stream()
            .filter(e -> e.decision() == Decision.DENY)
            .collect(
                Collectors.groupingBy(AuthzEvent::reasonCode, TreeMap::new, Collectors.counting()));
    Map<String, List<AuthzEvent>> byHandle =
        mine.stream()
            .filter(e -> e.handle() != null)
            .collect(Collectors.groupingBy(e -> e.handle().id()));
    List<AccessReport.HandleUse> handles =
        byHandle.entrySet().stream()
            .map(
                h ->
                    new AccessReport.HandleUse(
                        h.getKey(),
                        h.getValue().size(),
                        h.getValue().stream()
                            .map(AuthzEvent::occurredAt)
                            .min(Comparator.naturalOrder())
                            .orElseThrow(),
                        h.getValue().stream()
                            .map(AuthzEvent::occurredAt)
                            .max(Comparator.naturalOrder())
                            .orElseThrow()))
            .sorted(
                Comparator.comparingLong((AccessReport.HandleUse h) -> -h.decisions())
                    .thenComparing(AccessReport.HandleUse::id))
            .toList();
    return new AccessReport(
        subject == AccessReport.Subject.ACTOR ? Optional.of(id) : Optional.empty(),
        subject == AccessReport.Subject.ON_BEHALF_OF ? Optional.of(id) : Optional.empty(),
        range.from(),
        range.to(),
        new AccessReport.Totals(mine.size(), allow, mine.size() - allow),
        tools,
        denyReasons,
        handles,
        Optional.empty());
  }

  private HandleReport expectedHandle(TenantScope scope, String handle) {
    TenantScope every = scope.everyTenant();
    List<AuthzEvent> life =
        corpus.events().stream()
            .filter(
                e ->
                    sees(every, e.tenant()) && e.handle() != null && e.handle().id().equals(handle))
            .sorted(Comparator.comparing(AuthzEvent::occurredAt).thenComparing(AuthzEvent::eventId))
            .toList();
    Optional<AuthzEvent> issued =
        life.stream()
            .filter(
                e -> e.kind() == EventKind.HANDLE_ISSUED || e.kind() == EventKind.HANDLE_ROTATED)
            .findFirst();
    Optional<AuthzEvent> revoked =
        life.stream().filter(e -> e.kind() == EventKind.HANDLE_REVOKED).findFirst();
    Optional<Instant> expiredEvent =
        life.stream()
            .filter(e -> e.kind() == EventKind.HANDLE_EXPIRED)
            .map(AuthzEvent::occurredAt)
            .findFirst();
    Optional<Instant> announced = issued.map(e -> e.handle().expiresAt());
    Optional<Instant> expiresAt =
        announced.isPresent() && expiredEvent.isPresent()
            ? Optional.of(
                announced.get().isBefore(expiredEvent.get()) ? announced.get() : expiredEvent.get())
            : announced.isPresent() ? announced : expiredEvent;
    Optional<Instant> revokedAt = revoked.map(AuthzEvent::occurredAt);
    List<AuthzEvent> uses = life.stream().filter(e -> e.kind() == EventKind.DECISION).toList();
    Predicate<AuthzEvent> allowed = e -> e.decision() == Decision.ALLOW;
    Predicate<AuthzEvent> afterRevocation =
        e -> revokedAt.isPresent() && e.occurredAt().isAfter(revokedAt.get());
    Predicate<AuthzEvent> afterExpiry =
        e -> expiresAt.isPresent() && e.occurredAt().isAfter(expiresAt.get());
    TreeSet<String> actors = new TreeSet<>();
    life.forEach(e -> actors.add(e.actor().id()));
    TreeSet<String> tools = new TreeSet<>();
    uses.forEach(e -> tools.add(e.tool().name()));
    return new HandleReport(
        handle,
        issued.map(EventStoreContract::json),
        revoked.map(EventStoreContract::json),
        revokedAt,
        expiresAt,
        uses.size(),
        uses.stream().filter(allowed).count(),
        uses.stream().filter(allowed.negate()).count(),
        uses.stream().filter(afterRevocation.and(allowed)).count(),
        uses.stream().filter(afterRevocation).count(),
        uses.stream().filter(afterExpiry.and(allowed)).count(),
        uses.stream().filter(afterExpiry).count(),
        List.copyOf(actors),
        actors.size(),
        List.copyOf(tools),
        tools.size(),
        life.stream().limit(HandleReport.MAX_EVENTS).map(EventStoreContract::json).toList());
  }

  private TopValues expectedTop(TenantScope scope, String field, int size) {
    Function<AuthzEvent, String> value =
        switch (field) {
          case IndexSchema.TOOL_NAME -> e -> e.tool() == null ? null : e.tool().name();
          case IndexSchema.DECISION ->
              e ->
                  e.decision() == null
                      ? null
                      : e.decision().name().toLowerCase(java.util.Locale.ROOT);
          case IndexSchema.TENANT -> AuthzEvent::tenant;
          default -> throw new IllegalArgumentException(field);
        };
    Map<String, long[]> counts = new HashMap<>();
    for (AuthzEvent e : matching(scope, QUERIES.get(0), ALL_DAY)) {
      String v = value.apply(e);
      if (v == null) {
        continue;
      }
      long[] c = counts.computeIfAbsent(v, k -> new long[3]);
      c[0]++;
      if (e.decision() == Decision.ALLOW) {
        c[1]++;
      } else if (e.decision() == Decision.DENY) {
        c[2]++;
      }
    }
    return new TopValues(
        field,
        counts.entrySet().stream()
            .map(
                c ->
                    new TopValues.Bucket(
                        c.getKey(), c.getValue()[0], c.getValue()[1], c.getValue()[2]))
            .sorted(
                Comparator.comparingLong((TopValues.Bucket b) -> -b.count())
                    .thenComparing(TopValues.Bucket::value))
            .limit(size)
            .toList());
  }

  private Histogram expectedHistogram(
      TenantScope scope, Q q, TimeRange range, long interval, int n) {
    long from = range.from().toEpochMilli();
    long[][] counts = new long[n][2];
    Instant first = null;
    Instant last = null;
    for (AuthzEvent e : matching(scope, q, range)) {
      if (e.kind() != EventKind.DECISION) {
        continue;
      }
      int b = (int) Math.min(n - 1, (e.occurredAt().toEpochMilli() - from) / interval);
      counts[b][e.decision() == Decision.ALLOW ? 0 : 1]++;
      first = first == null || e.occurredAt().isBefore(first) ? e.occurredAt() : first;
      last = last == null || e.occurredAt().isAfter(last) ? e.occurredAt() : last;
    }
    List<Histogram.Bucket> buckets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      buckets.add(new Histogram.Bucket(from + i * interval, counts[i][0], counts[i][1]));
    }
    return new Histogram(interval, buckets, Optional.ofNullable(first), Optional.ofNullable(last));
  }
}
