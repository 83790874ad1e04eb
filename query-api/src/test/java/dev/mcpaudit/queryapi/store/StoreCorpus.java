package dev.mcpaudit.queryapi.store;

import dev.mcpaudit.queryapi.Lifecycle;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertChange;
import dev.mcpaudit.schema.alert.AlertState;
import dev.mcpaudit.schema.alert.AlertStatus;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.CloseReason;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The events and alerts every store implementation is loaded with for the contract suite: three
 * tenants of synthetic decisions over four hours, one handle's whole life ({@link Lifecycle}, in
 * tenant acme), an event id that two tenants both use, the API's own audit trail in {@code
 * _system}, and alerts of several types, tenants and times. Fixed: the same corpus on every run.
 */
public record StoreCorpus(
    List<AuthzEvent> events, List<Alert> alerts, Map<String, AlertTrack> tracks) {
  static final Instant START = Instant.parse("2026-03-02T08:00:00Z");
  static final String SHARED_ID = "ev-shared-1";
  static final String LIFE_HANDLE = Lifecycle.HANDLE;

  static StoreCorpus build() {
    List<AuthzEvent> events = new ArrayList<>();
    // 3,000 decisions, one every ~4.8 s over four hours: several hours for the windows of a page.
    SyntheticEvents gen = new SyntheticEvents(77, START, Duration.ofMillis(4_800));
    for (int i = 0; i < 3_000; i++) {
      events.add(gen.next());
    }
    events.addAll(Lifecycle.events(START.plus(Duration.ofMinutes(30))));
    // One id, two tenants: two records, never one overwriting the other.
    for (String tenant : List.of("tenant-0", "tenant-2")) {
      events.add(
          decision(SHARED_ID, tenant, START.plus(Duration.ofMinutes(90)), Decision.ALLOW, "ALLOWED")
              .build());
    }
    for (int i = 0; i < 5; i++) {
      events.add(
          decision(
                  "audit-" + i,
                  Caller.SYSTEM_TENANT,
                  START.plusSeconds(60L * i),
                  Decision.ALLOW,
                  "ALLOWED")
              .build());
    }
    List<Alert> alerts = new ArrayList<>();
    // The detector's and the indexer's own types, seven: alert i + 21 has alert i's type.
    AlertType[] types =
        java.util.Arrays.stream(AlertType.values())
            .filter(t -> t != AlertType.CUSTOM_RULE)
            .toArray(AlertType[]::new);
    for (int i = 0; i < 24; i++) {
      String tenant = "tenant-" + (i % 3);
      alerts.add(
          new Alert(
              "al-" + i,
              types[i % types.length],
              Severity.values()[i % Severity.values().length],
              tenant,
              START.plus(Duration.ofMinutes(7L * i + 1)),
              // Alerts i and i + 21 share tenant, type and subject: the later re-raises the case.
              "subject-" + (i % 21),
              "spiffe://example.org/agent/a-" + (i % 4),
              i % 2 == 0 ? LIFE_HANDLE : "h-other-" + i,
              "create_issue",
              List.of("ev-77-" + i, "ev-77-" + (i + 100)),
              "alert " + i));
    }
    Map<String, AlertTrack> tracks = new HashMap<>();
    for (int i = 0; i < alerts.size(); i++) {
      Alert a = alerts.get(i);
      AlertTrack t =
          switch (i % 4) {
            case 1 -> track(a, new AlertState(AlertStatus.ACKNOWLEDGED, "alice", null));
            case 2 ->
                track(
                    a,
                    new AlertState(AlertStatus.ACKNOWLEDGED, "bob", null),
                    new AlertState(AlertStatus.CLOSED, "bob", CloseReason.FALSE_POSITIVE));
            case 3 ->
                track(
                    a,
                    new AlertState(AlertStatus.CLOSED, null, CloseReason.TRUE_POSITIVE),
                    new AlertState(AlertStatus.OPEN, null, null),
                    new AlertState(AlertStatus.CLOSED, null, CloseReason.TRUE_POSITIVE));
            default -> AlertTrack.NEW;
          };
      tracks.put(a.alertId(), t);
    }
    return new StoreCorpus(List.copyOf(events), List.copyOf(alerts), Map.copyOf(tracks));
  }

  /** The alert's track after moving through {@code states}, each change with a note. */
  static AlertTrack track(Alert a, AlertState... states) {
    AlertTrack t = AlertTrack.NEW;
    for (AlertState next : states) {
      t =
          t.apply(
                  new AlertChange(
                      "c-" + a.alertId() + "-" + (t.version() + 1),
                      a.tenant(),
                      a.alertId(),
                      a.detectedAt(),
                      t.version() + 1,
                      a.detectedAt().plus(Duration.ofMinutes(t.version() + 1)),
                      "analyst-" + (t.version() % 2),
                      t.state(),
                      next,
                      "note " + (t.version() + 1) + " on " + a.alertId()))
              .orElseThrow();
    }
    return t;
  }

  public AlertTrack track(String alertId) {
    return tracks.getOrDefault(alertId, AlertTrack.NEW);
  }

  private static AuthzEvent.Builder decision(
      String id, String tenant, Instant at, Decision d, String code) {
    return AuthzEvent.builder()
        .eventId(id)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant(tenant)
        .decision(d)
        .reasonCode(code)
        .actor(Actor.of("spiffe://example.org/agent/other", ActorType.AGENT))
        .tool(new Tool("github", "list_repos", "tools/call", null))
        .request(new RequestInfo(null, "nonce-" + tenant + "-" + id, null, null, null))
        .source(new Source("gw-1", "w-1", null, null));
  }
}
