package dev.mcpaudit.detector;

import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Generated traffic that should raise no alert, with known incidents mixed in. Clean traffic is
 * {@link SyntheticEvents} with each handle and tool always getting the same decision (a healthy
 * fleet agrees with itself); incidents use handles, nonces and actors of their own, so each must
 * raise exactly one alert with a known subject.
 */
final class Incidents {
  record Expected(AlertType type, String subject) {}

  /**
   * An event, when (in event time) it is published (late events are published after they occurred),
   * and the partition it goes to (null: the topic's partitioning, by handle).
   */
  record Send(Instant at, AuthzEvent event, Integer partition) {}

  private final List<Send> sends = new ArrayList<>();
  final Set<Expected> expected = new HashSet<>();
  private int seq;
  private Integer into;

  static Incidents generate(
      long seed,
      Instant start,
      int clean,
      int replays,
      int revoked,
      int expired,
      int bursts,
      int inconsistent) {
    Incidents out = new Incidents();
    SyntheticEvents gen = new SyntheticEvents(seed, start);
    List<AuthzEvent> base = new ArrayList<>(clean);
    for (int i = 0; i < clean; i++) {
      base.add(consistent(gen.next()));
    }
    base.forEach(out::add);
    Duration span = Duration.between(start, base.get(base.size() - 1).occurredAt());
    int kinds = replays + revoked + expired + bursts + inconsistent;
    int slot = 0;
    // Spread incidents evenly over the run, each in a slot of its own.
    for (int i = 0; i < replays; i++) {
      AuthzEvent original = base.get((int) ((long) base.size() * (slot++ + 1) / (kinds + 1)));
      out.replay(original);
    }
    for (int i = 0; i < revoked; i++) {
      out.revokedUse(at(start, span, slot++, kinds), i, i == 0);
    }
    for (int i = 0; i < expired; i++) {
      out.expiredUse(at(start, span, slot++, kinds), i);
    }
    for (int i = 0; i < bursts; i++) {
      out.denyBurst(at(start, span, slot++, kinds), i);
    }
    for (int i = 0; i < inconsistent; i++) {
      out.inconsistentPair(at(start, span, slot++, kinds), i);
    }
    out.sends.sort(Comparator.comparing(Send::at));
    return out;
  }

  private static Instant at(Instant start, Duration span, int slot, int kinds) {
    return start.plus(span.multipliedBy(slot + 1).dividedBy(kinds + 1));
  }

  /** Decision fixed by handle and tool, so no two workers ever disagree. */
  private static AuthzEvent consistent(AuthzEvent e) {
    if (e.handle() == null) {
      return e;
    }
    // Mixed, not String.hashCode mod 100: neighbouring handle ids would deny together and make a
    // real burst.
    boolean allow =
        new java.util.SplittableRandom((e.handle().id() + " " + e.tool().name()).hashCode())
                .nextInt(100)
            >= 10;
    return e.toBuilder()
        .decision(allow ? Decision.ALLOW : Decision.DENY)
        .reasonCode(allow ? "ALLOWED" : "POLICY_DENY")
        .reason(allow ? null : e.reason())
        .build();
  }

  private void add(AuthzEvent e) {
    sends.add(new Send(e.occurredAt(), e, into));
  }

  /** Where what is added next goes: a partition, or null for the topic's partitioning. */
  Incidents into(Integer partition) {
    this.into = partition;
    return this;
  }

  /** Clean traffic: made consistent, so that it raises nothing. */
  void clean(AuthzEvent e) {
    add(consistent(e));
  }

  /** Every event, in the order to publish them. */
  List<AuthzEvent> inSendOrder() {
    return sends.stream().map(Send::event).toList();
  }

  /** The events sent to one partition, in the order to publish them. */
  List<AuthzEvent> sendsTo(int partition) {
    return sends.stream()
        .filter(s -> s.partition() != null && s.partition() == partition)
        .sorted(Comparator.comparing(Send::at))
        .map(Send::event)
        .toList();
  }

  /** A second use of the original's nonce, two seconds later, sent to another partition. */
  void replayOnto(AuthzEvent original, int partition) {
    Integer was = into;
    into = partition;
    replay(original);
    into = was;
  }

  /**
   * An event dated {@code claimed}, far past the detector's clock, published among its partition's
   * events of {@code sentAmong}.
   */
  void futureDated(Instant sentAmong, Instant claimed, int i) {
    AuthzEvent e =
        decision(
                "h-incident-future-" + i,
                "spiffe://example.org/agent/future-" + i,
                "read_file",
                Decision.ALLOW,
                "ALLOWED",
                "w-" + i,
                claimed,
                claimed.plusSeconds(3600))
            .toBuilder()
            .source(new Source("gw-clock", "w-" + i, "eu-west-1", null))
            .build();
    sends.add(new Send(sentAmong, e, into));
    expected.add(new Expected(AlertType.FUTURE_TIMESTAMP, "gw-clock/w-" + i));
  }

  private void replay(AuthzEvent original) {
    Source other = new Source("gw-replay", "w-9", "us-east-1", null);
    add(
        original.toBuilder()
            .eventId(original.eventId() + "-replayed")
            .occurredAt(original.occurredAt().plusSeconds(2))
            .receivedAt(null)
            .source(other)
            .build());
    expected.add(new Expected(AlertType.REPLAY, original.request().nonce()));
  }

  void revokedUse(Instant t, int i, boolean revocationArrivesLate) {
    String h = "h-incident-revoked-" + i;
    String actor = "spiffe://example.org/agent/revoked-" + i;
    add(lifecycle(h, actor, EventKind.HANDLE_ISSUED, t.minusSeconds(60), t.plusSeconds(3600)));
    add(
        decision(
            h,
            actor,
            "create_issue",
            Decision.ALLOW,
            "ALLOWED",
            "w-1",
            t.minusSeconds(30),
            t.plusSeconds(3600)));
    AuthzEvent revocation = lifecycle(h, actor, EventKind.HANDLE_REVOKED, t, null);
    AuthzEvent use =
        decision(
            h,
            actor,
            "create_issue",
            Decision.ALLOW,
            "ALLOWED",
            "w-2",
            t.plusSeconds(20),
            t.plusSeconds(3600));
    if (revocationArrivesLate) {
      // Published 40 s (of event time) after the use it precedes, well inside the grace period.
      sends.add(new Send(t.plusSeconds(60), revocation, into));
    } else {
      add(revocation);
    }
    add(use);
    expected.add(new Expected(AlertType.REVOKED_HANDLE_USE, h));
  }

  void expiredUse(Instant t, int i) {
    String h = "h-incident-expired-" + i;
    String actor = "spiffe://example.org/agent/expired-" + i;
    add(decision(h, actor, "read_file", Decision.ALLOW, "ALLOWED", "w-1", t.minusSeconds(10), t));
    add(decision(h, actor, "read_file", Decision.ALLOW, "ALLOWED", "w-1", t.plusSeconds(5), t));
    expected.add(new Expected(AlertType.EXPIRED_HANDLE_USE, h));
  }

  /**
   * 25 denies of one actor within 30 s, each on a handle of its own; with partitions given, the
   * denies go to them in turn.
   */
  void denyBurst(Instant t, int i, Integer... partitions) {
    String actor = "spiffe://example.org/agent/burst-" + i;
    Integer was = into;
    for (int j = 0; j < 25; j++) {
      if (partitions.length > 0) {
        into = partitions[j % partitions.length];
      }
      add(
          decision(
              "h-incident-burst-" + i + "-" + j,
              actor,
              "run_query",
              Decision.DENY,
              "POLICY_DENY",
              "w-1",
              t.plusMillis(j * 1200L),
              t.plusSeconds(3600)));
    }
    into = was;
    expected.add(new Expected(AlertType.DENY_BURST, actor));
  }

  void inconsistentPair(Instant t, int i) {
    String h = "h-incident-inconsistent-" + i;
    String actor = "spiffe://example.org/agent/inconsistent-" + i;
    add(
        decision(
            h, actor, "post_message", Decision.ALLOW, "ALLOWED", "w-1", t, t.plusSeconds(3600)));
    add(
        decision(
            h,
            actor,
            "post_message",
            Decision.DENY,
            "HANDLE_SCOPE_MISMATCH",
            "w-3",
            t.plusSeconds(10),
            t.plusSeconds(3600)));
    expected.add(new Expected(AlertType.INCONSISTENT_DECISION, h + " post_message"));
  }

  private AuthzEvent decision(
      String h,
      String actor,
      String tool,
      Decision d,
      String reason,
      String worker,
      Instant at,
      Instant expires) {
    int n = seq++;
    return AuthzEvent.builder()
        .eventId("ev-incident-" + n)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant("tenant-1")
        .decision(d)
        .reasonCode(reason)
        .handle(new Handle(h, "task", at.minusSeconds(120), expires, List.of("x:read"), null, null))
        .actor(new Actor(actor, ActorType.AGENT, "user-1@example.org", null))
        .tool(new Tool("github", tool, "tools/call", null))
        .request(new RequestInfo("req-incident-" + n, "nonce-incident-" + n, null, null, null))
        .source(new Source("gw-1", worker, "eu-west-1", null))
        .latencyUs(100L)
        .build();
  }

  private AuthzEvent lifecycle(
      String h, String actor, EventKind kind, Instant at, Instant expires) {
    int n = seq++;
    return AuthzEvent.builder()
        .eventId("ev-incident-" + n)
        .kind(kind)
        .occurredAt(at)
        .tenant("tenant-1")
        .handle(new Handle(h, "task", at, expires, List.of("x:read"), null, null))
        .actor(new Actor(actor, ActorType.AGENT, "user-1@example.org", null))
        .source(new Source("gw-1", "w-1", "eu-west-1", null))
        .build();
  }
}
