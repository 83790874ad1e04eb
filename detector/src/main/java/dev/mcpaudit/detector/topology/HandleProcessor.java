package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The rules about one handle: REVOKED_HANDLE_USE, EXPIRED_HANDLE_USE and INCONSISTENT_DECISION.
 * Runs on the decisions topic as it is partitioned (by handle id: docs/architecture.md, "Topics"),
 * so a handle's lifecycle events and decisions meet in one task without a repartition.
 *
 * <p>Everything is judged by occurred_at: recent decisions are kept for the grace period, so a
 * revocation that arrives after the use it preceded is still matched against that use. A pair of
 * allow and deny whose deny claims the handle was revoked or expired, while no such event is known
 * yet, waits out the grace period for that event before it is called inconsistent.
 */
final class HandleProcessor extends RuleProcessor<Observation> {
  static final String FACTS = "handle-facts";
  static final String DECISIONS = "handle-decisions";
  static final String PENDING = "handle-pending";
  static final String ISSUED = "handle-alerts";

  private static final org.apache.kafka.common.serialization.Serde<Observation> SERDE =
      ObservationSerde.INSTANCE;

  private TimedStore<Observation> factsRead;
  private TimedStore<Observation> decisionsRead;
  private KeyValueStore<String, PendingPair> pending;

  /**
   * When the earliest waiting pair is due (Long.MAX_VALUE: none waits). Stream-time punctuation
   * fires every 5 s of event time, hundreds of times a second while a backlog is worked off; a scan
   * of the (usually empty) store each time was a fifteenth of the stream thread's time.
   */
  private long earliestDue;

  HandleProcessor(Rules rules, DetectorMetrics metrics) {
    super(rules, metrics, ISSUED);
  }

  /**
   * How long decisions are kept: long enough for a late revocation and for the inconsistency
   * window.
   */
  static Duration decisionRetention(Rules rules) {
    return rules.grace().plus(rules.inconsistencyWindow()).plus(rules.inconsistencyWindow());
  }

  @Override
  protected Observation observation(Observation o) {
    return o;
  }

  @Override
  protected void open(ProcessorContext<String, Alert> context) {
    // Window stores: this task reads one source partition, so its stream time is that
    // partition's own and no other partition can make its state expire early.
    this.factsRead = timed(FACTS, SERDE, rules.handleMemory());
    this.decisionsRead = timed(DECISIONS, SERDE, decisionRetention(rules.widest()));
    this.pending = context.getStateStore(PENDING);
    this.earliestDue = earliestDue();
    context.schedule(Duration.ofSeconds(5), PunctuationType.STREAM_TIME, this::firePendingDue);
  }

  @Override
  protected void judge(Record<String, Observation> record) {
    Observation o = record.value();
    String key = Observation.key(o.tenant(), o.handle());
    boolean late = late(o);
    if (o.kind().isHandleLifecycle()) {
      // Kept even when late: a revocation stays true for every later use.
      long memory = rules.handleMemory().toMillis();
      KeyCapacity.keep(
          factsRead,
          key,
          o,
          o.at(),
          o.eventId(),
          factsRead.read(key, o.at() - memory, o.at() + memory, KeyCapacity.HANDLE_FACTS, metrics),
          FACTS,
          metrics);
      if (!late) {
        judgeEarlierUses(key, o);
      }
      return;
    }
    if (late) {
      return;
    }
    List<Observation> known = facts(key, o.at());
    if (o.isAllow()) {
      judgeUse(o, known);
    }
    long window = rules.forTenant(o.tenant()).inconsistencyWindow().toMillis();
    KeyCapacity.Read<Observation> near =
        decisionsRead.read(
            key, o.at() - window, o.at() + window, KeyCapacity.HANDLE_DECISIONS, metrics);
    if (o.workerKey() != null && o.toolName() != null) {
      judgeConsistency(key, o, near.values(), known);
    }
    KeyCapacity.keep(decisionsRead, key, o, o.at(), o.eventId(), near, DECISIONS, metrics);
  }

  /** Revocations and expiry facts of the handle around {@code at}. */
  private List<Observation> facts(String key, long at) {
    long memory = rules.handleMemory().toMillis();
    return factsRead
        .read(key, at - memory, at + memory, KeyCapacity.HANDLE_FACTS, metrics)
        .values();
  }

  /** When a fact says the handle stops being valid, if it says so at all. */
  private static Optional<Long> invalidFrom(Observation fact) {
    return switch (fact.kind()) {
      case HANDLE_REVOKED -> Optional.of(fact.at());
      case HANDLE_EXPIRED ->
          Optional.of(fact.expiresAt() != null ? Math.min(fact.expiresAt(), fact.at()) : fact.at());
      case HANDLE_ISSUED, HANDLE_ROTATED -> Optional.ofNullable(fact.expiresAt());
      case DECISION -> Optional.empty();
    };
  }

  private void judgeUse(Observation use, List<Observation> known) {
    Optional<Observation> revoked =
        known.stream()
            .filter(f -> f.kind() == EventKind.HANDLE_REVOKED && f.at() < use.at())
            .min(Comparator.comparingLong(Observation::at));
    if (revoked.isPresent()) {
      raiseRevoked(revoked.get(), List.of(use));
      return;
    }
    Optional<Observation> expiry =
        known.stream()
            .filter(f -> f.kind() != EventKind.HANDLE_REVOKED)
            .filter(f -> invalidFrom(f).map(t -> t <= use.at()).orElse(false))
            .min(Comparator.comparingLong(f -> invalidFrom(f).orElseThrow()));
    if (expiry.isPresent()) {
      raiseExpired(
          invalidFrom(expiry.get()).orElseThrow(), Optional.of(expiry.get()), List.of(use));
    } else if (use.expiresAt() != null && use.expiresAt() <= use.at()) {
      raiseExpired(use.expiresAt(), Optional.empty(), List.of(use));
    }
  }

  /** A lifecycle fact that arrived after decisions it precedes (by occurred_at). */
  private void judgeEarlierUses(String key, Observation fact) {
    Optional<Long> from = invalidFrom(fact);
    if (from.isEmpty()) {
      return;
    }
    List<Observation> uses = new ArrayList<>();
    for (Observation d :
        decisionsRead
            .read(
                key,
                from.get(),
                from.get() + decisionRetention(rules.widest()).toMillis(),
                KeyCapacity.HANDLE_DECISIONS,
                metrics)
            .values()) {
      boolean after =
          fact.kind() == EventKind.HANDLE_REVOKED ? d.at() > from.get() : d.at() >= from.get();
      if (d.isAllow() && after) {
        uses.add(d);
      }
    }
    if (uses.isEmpty()) {
      return;
    }
    if (fact.kind() == EventKind.HANDLE_REVOKED) {
      raiseRevoked(fact, uses);
    } else {
      raiseExpired(from.get(), Optional.of(fact), uses);
    }
  }

  private void raiseRevoked(Observation revocation, List<Observation> uses) {
    Observation last = uses.get(uses.size() - 1);
    List<String> evidence =
        Stream.concat(Stream.of(revocation.eventId()), uses.stream().map(Observation::eventId))
            .toList();
    issuer.raise(
        new AlertIssuer.Finding(
            AlertType.REVOKED_HANDLE_USE,
            Severity.CRITICAL,
            last.tenant(),
            last.handle(),
            last.at(),
            last.actor(),
            last.handle(),
            last.toolName(),
            evidence,
            "handle "
                + last.handle()
                + " revoked at "
                + instant(revocation.at())
                + " ("
                + revocation.eventId()
                + ") was allowed "
                + uses.size()
                + " time(s) after, first "
                + uses.get(0).eventId()
                + " for "
                + uses.get(0).actor()
                + " on "
                + uses.get(0).toolName()
                + workerText(uses.get(0))));
  }

  private void raiseExpired(long expiredAt, Optional<Observation> fact, List<Observation> uses) {
    Observation last = uses.get(uses.size() - 1);
    List<String> evidence =
        Stream.concat(
                fact.stream().map(Observation::eventId), uses.stream().map(Observation::eventId))
            .toList();
    issuer.raise(
        new AlertIssuer.Finding(
            AlertType.EXPIRED_HANDLE_USE,
            Severity.HIGH,
            last.tenant(),
            last.handle(),
            last.at(),
            last.actor(),
            last.handle(),
            last.toolName(),
            evidence,
            "handle "
                + last.handle()
                + " expired at "
                + instant(expiredAt)
                + " was allowed "
                + uses.size()
                + " time(s) after, first "
                + uses.get(0).eventId()
                + " for "
                + uses.get(0).actor()
                + " on "
                + uses.get(0).toolName()
                + workerText(uses.get(0))));
  }

  private void judgeConsistency(
      String key, Observation o, List<Observation> nearby, List<Observation> known) {
    List<Observation> near = new ArrayList<>(nearby);
    near.sort(Comparator.comparingLong(p -> Math.abs(p.at() - o.at())));
    for (Observation p : near) {
      if (p.eventId().equals(o.eventId())
          || p.decision() == o.decision()
          || p.workerKey() == null
          || p.workerKey().equals(o.workerKey())
          || !p.toolKey().equals(o.toolKey())) {
        continue;
      }
      Observation allow = o.isAllow() ? o : p;
      Observation deny = o.isAllow() ? p : o;
      Rules tenant = rules.forTenant(o.tenant());
      if (tenant.inconsistencyIgnoredReasons().contains(deny.reasonCode())
          || explained(allow, deny, known)) {
        continue;
      }
      if (claimsHandleState(deny)) {
        // The deny says revoked/expired but no such event is known: give it the grace period to
        // arrive.
        long due = deny.at() + tenant.grace().toMillis();
        pending.put(
            deny.eventId() + "\u001f" + allow.eventId(), new PendingPair(key, allow, deny, due));
        earliestDue = Math.min(earliestDue, due);
      } else {
        raiseInconsistent(allow, deny);
      }
      return;
    }
  }

  private static boolean claimsHandleState(Observation deny) {
    return "HANDLE_REVOKED".equals(deny.reasonCode()) || "HANDLE_EXPIRED".equals(deny.reasonCode());
  }

  /** A revocation or expiry between the allow and the later deny makes the pair consistent. */
  private static boolean explained(Observation allow, Observation deny, List<Observation> known) {
    if (deny.at() < allow.at()) {
      return false;
    }
    Stream<Long> ends =
        Stream.concat(
            known.stream().map(HandleProcessor::invalidFrom).flatMap(Optional::stream),
            Stream.of(allow.expiresAt(), deny.expiresAt()).filter(java.util.Objects::nonNull));
    return ends.anyMatch(t -> t > allow.at() && t <= deny.at());
  }

  private void raiseInconsistent(Observation allow, Observation deny) {
    Observation later = allow.at() > deny.at() ? allow : deny;
    Observation earlier = later == allow ? deny : allow;
    issuer.raise(
        new AlertIssuer.Finding(
            AlertType.INCONSISTENT_DECISION,
            Severity.HIGH,
            later.tenant(),
            later.handle() + " " + later.toolName(),
            later.at(),
            later.actor(),
            later.handle(),
            later.toolName(),
            List.of(earlier.eventId(), later.eventId()),
            "handle "
                + later.handle()
                + " on "
                + later.toolName()
                + ": allowed by "
                + allow.workerKey()
                + " ("
                + allow.eventId()
                + ") and denied "
                + deny.reasonCode()
                + " by "
                + deny.workerKey()
                + " ("
                + deny.eventId()
                + ") "
                + Math.abs(allow.at() - deny.at())
                + " ms apart"));
  }

  private void firePendingDue(long streamTime) {
    if (streamTime < earliestDue) {
      return;
    }
    List<String> done = new ArrayList<>();
    try (KeyValueIterator<String, PendingPair> it = pending.all()) {
      while (it.hasNext()) {
        KeyValue<String, PendingPair> kv = it.next();
        PendingPair p = kv.value;
        if (p.due() > streamTime) {
          continue;
        }
        done.add(kv.key);
        if (!explained(p.allow(), p.deny(), facts(p.handleKey(), p.deny().at()))) {
          raiseInconsistent(p.allow(), p.deny());
        }
      }
    }
    done.forEach(pending::delete);
    earliestDue = earliestDue();
  }

  /** The earliest due time in the store (read at start, when it may hold restored pairs). */
  private long earliestDue() {
    long min = Long.MAX_VALUE;
    try (KeyValueIterator<String, PendingPair> it = pending.all()) {
      while (it.hasNext()) {
        min = Math.min(min, it.next().value.due());
      }
    }
    return min;
  }

  private static String workerText(Observation o) {
    return o.workerKey() == null ? "" : " by " + o.workerKey();
  }

  private static String instant(long millis) {
    return Rfc3339.format(Instant.ofEpochMilli(millis));
  }

  /** An allow/deny pair waiting for a revocation or expiry that would explain it. */
  record PendingPair(String handleKey, Observation allow, Observation deny, long due) {}
}
