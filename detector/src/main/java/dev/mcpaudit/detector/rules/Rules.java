package dev.mcpaudit.detector.rules;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.ConfigKey;
import dev.mcpaudit.runtime.config.Settings;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The thresholds of the detector's rules (README, "The detector"), every one configurable.
 *
 * @param grace how late (by occurred_at, behind the newest event seen) an event may arrive and
 *     still count ({@code detector.grace}, default 5m)
 * @param suppression one alert per subject within this much occurred_at time ({@code
 *     detector.suppression}, default 10m)
 * @param nonceMemory how long a request nonce is remembered for replay ({@code
 *     detector.replay.nonce-memory}, default 24h)
 * @param handleMemory how long a handle's revocation or expiry is remembered ({@code
 *     detector.handle-memory}, default 24h)
 * @param denyBurstThreshold denies for one actor that make a burst ({@code
 *     detector.deny-burst.threshold}, default 20)
 * @param denyBurstWindow the window they must fall in ({@code detector.deny-burst.window}, default
 *     60s)
 * @param inconsistencyWindow allow and deny this close count as inconsistent ({@code
 *     detector.inconsistency.window}, default 60s)
 * @param inconsistencyIgnoredReasons deny reason codes that say nothing about policy state, so
 *     never make a decision inconsistent ({@code detector.inconsistency.ignore-reason-codes},
 *     default RATE_LIMITED: a quota is per worker by nature)
 * @param maxFutureSkew how far ahead of the detector's clock event time may run ({@code
 *     detector.max-future-skew}, default 5m): an event dated later is judged at that bound, so no
 *     event can make its partition's honest events late
 * @param futureSuppression one FUTURE_TIMESTAMP alert per source within this much time ({@code
 *     detector.future-timestamp.suppression}, default 1h): a source with a wrong clock is reported,
 *     not repeated for every event it sends
 * @param backlogProofState the repartitioned rules (REPLAY, DENY_BURST, FUTURE_TIMESTAMP) keep
 *     their state until every source partition has passed it, instead of in window stores that
 *     expire by the fastest partition ({@code detector.backlog-proof-state}, default true)
 * @param tenants the thresholds of tenants that have their own ({@code detector.per-tenant.*}, see
 *     {@link TenantThresholds}): each a copy of these with its values in place
 */
public record Rules(
    Duration grace,
    Duration suppression,
    Duration nonceMemory,
    Duration handleMemory,
    int denyBurstThreshold,
    Duration denyBurstWindow,
    Duration inconsistencyWindow,
    Set<String> inconsistencyIgnoredReasons,
    Duration maxFutureSkew,
    Duration futureSuppression,
    boolean backlogProofState,
    Map<String, Rules> tenants) {

  public Rules {
    inconsistencyIgnoredReasons = Set.copyOf(inconsistencyIgnoredReasons);
    tenants = Map.copyOf(tenants);
    for (Duration d :
        new Duration[] {
          suppression,
          nonceMemory,
          handleMemory,
          denyBurstWindow,
          inconsistencyWindow,
          futureSuppression
        }) {
      if (d.isNegative() || d.isZero()) {
        throw new ConfigException("detector windows must be positive, got " + d);
      }
    }
    if (grace.isNegative()) {
      throw new ConfigException("detector.grace must not be negative, got " + grace);
    }
    if (maxFutureSkew.isNegative()) {
      throw new ConfigException(
          "detector.max-future-skew must not be negative, got " + maxFutureSkew);
    }
  }

  public Rules(
      Duration grace,
      Duration suppression,
      Duration nonceMemory,
      Duration handleMemory,
      int denyBurstThreshold,
      Duration denyBurstWindow,
      Duration inconsistencyWindow,
      Set<String> inconsistencyIgnoredReasons,
      Duration maxFutureSkew,
      Duration futureSuppression,
      boolean backlogProofState) {
    this(
        grace,
        suppression,
        nonceMemory,
        handleMemory,
        denyBurstThreshold,
        denyBurstWindow,
        inconsistencyWindow,
        inconsistencyIgnoredReasons,
        maxFutureSkew,
        futureSuppression,
        backlogProofState,
        Map.of());
  }

  /** The thresholds that judge events of {@code tenant}: its own where it has them. */
  public Rules forTenant(String tenant) {
    return tenants.getOrDefault(tenant, this);
  }

  /**
   * The longest of every window and grace over all tenants: what state must be kept for, so that no
   * tenant's longer window reads entries another's shorter one let expire.
   */
  public Rules widest() {
    if (tenants.isEmpty()) {
      return this;
    }
    Rules w = this;
    for (Rules t : tenants.values()) {
      w =
          new Rules(
              max(w.grace, t.grace),
              max(w.suppression, t.suppression),
              nonceMemory,
              handleMemory,
              Math.max(w.denyBurstThreshold, t.denyBurstThreshold),
              max(w.denyBurstWindow, t.denyBurstWindow),
              max(w.inconsistencyWindow, t.inconsistencyWindow),
              inconsistencyIgnoredReasons,
              maxFutureSkew,
              futureSuppression,
              backlogProofState,
              tenants);
    }
    return w;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public static Rules defaults() {
    return from(Settings.of(java.util.Map.of()));
  }

  static final ConfigKey<Duration> GRACE =
      ConfigKey.duration(
          "detector.grace",
          Duration.ofMinutes(5),
          "events later than this behind the newest event of their partition are not judged");
  static final ConfigKey<Duration> SUPPRESSION =
      ConfigKey.duration(
          "detector.suppression",
          Duration.ofMinutes(10),
          "one alert per type and subject within this much event time");
  static final ConfigKey<Duration> NONCE_MEMORY =
      ConfigKey.duration(
          "detector.replay.nonce-memory",
          Duration.ofHours(24),
          "how long a nonce is remembered for replay detection");
  static final ConfigKey<Duration> HANDLE_MEMORY =
      ConfigKey.duration(
          "detector.handle-memory",
          Duration.ofHours(24),
          "how long a revocation or expiry is remembered for the handle");
  static final ConfigKey<Integer> BURST_THRESHOLD =
      ConfigKey.integer(
          "detector.deny-burst.threshold",
          20,
          2,
          1000,
          "denies of one actor within the window that make a burst");
  static final ConfigKey<Duration> BURST_WINDOW =
      ConfigKey.duration(
          "detector.deny-burst.window", Duration.ofSeconds(60), "the deny-burst window");
  static final ConfigKey<Duration> INCONSISTENCY_WINDOW =
      ConfigKey.duration(
          "detector.inconsistency.window",
          Duration.ofSeconds(60),
          "how close an allow and a deny of the same request shape must be to be inconsistent");
  static final ConfigKey<String> IGNORED_CODES =
      ConfigKey.string(
          "detector.inconsistency.ignore-reason-codes",
          "RATE_LIMITED",
          "deny reason codes that never make an allow/deny pair inconsistent (comma separated)");

  static final ConfigKey<Duration> MAX_FUTURE_SKEW =
      ConfigKey.duration(
              "detector.max-future-skew",
              Duration.ofMinutes(5),
              "how far ahead of the detector's clock event time may run; a later event is judged at that bound (at most 24h)")
          .check(d -> d.compareTo(Duration.ofHours(24)) <= 0, "at most 24h");

  static final ConfigKey<Duration> FUTURE_SUPPRESSION =
      ConfigKey.duration(
              "detector.future-timestamp.suppression",
              Duration.ofHours(1),
              "one FUTURE_TIMESTAMP alert per source gateway/worker within this much time (at most 24h)")
          .check(d -> d.compareTo(Duration.ofHours(24)) <= 0, "at most 24h");

  static final ConfigKey<Boolean> BACKLOG_PROOF_STATE =
      ConfigKey.bool(
          "detector.backlog-proof-state",
          true,
          "REPLAY, DENY_BURST and FUTURE_TIMESTAMP keep state until every source partition has passed it; false: window stores, which lose it while partitions are far apart");

  /** The keys the rules read. */
  public static final java.util.List<ConfigKey<?>> KEYS =
      java.util.List.of(
          GRACE,
          SUPPRESSION,
          NONCE_MEMORY,
          HANDLE_MEMORY,
          BURST_THRESHOLD,
          BURST_WINDOW,
          INCONSISTENCY_WINDOW,
          IGNORED_CODES,
          MAX_FUTURE_SKEW,
          FUTURE_SUPPRESSION,
          BACKLOG_PROOF_STATE,
          TenantThresholds.DENY_BURST_THRESHOLD,
          TenantThresholds.DENY_BURST_WINDOW,
          TenantThresholds.SUPPRESSION,
          TenantThresholds.GRACE,
          TenantThresholds.INCONSISTENCY_WINDOW,
          TenantThresholds.IGNORED_CODES);

  public static Rules from(Settings s) {
    Rules global = global(s);
    return global.withTenants(TenantThresholds.from(s).apply(global));
  }

  private static Rules global(Settings s) {
    return new Rules(
        GRACE.from(s),
        SUPPRESSION.from(s),
        NONCE_MEMORY.from(s),
        HANDLE_MEMORY.from(s),
        BURST_THRESHOLD.from(s),
        BURST_WINDOW.from(s),
        INCONSISTENCY_WINDOW.from(s),
        Arrays.stream(IGNORED_CODES.from(s).split(","))
            .map(String::strip)
            .filter(x -> !x.isEmpty())
            .collect(Collectors.toSet()),
        MAX_FUTURE_SKEW.from(s),
        FUTURE_SUPPRESSION.from(s),
        BACKLOG_PROOF_STATE.from(s));
  }

  /** A copy with the repartitioned rules' state kept until every source partition passed it. */
  public Rules withBacklogProofState(boolean on) {
    return new Rules(
        grace,
        suppression,
        nonceMemory,
        handleMemory,
        denyBurstThreshold,
        denyBurstWindow,
        inconsistencyWindow,
        inconsistencyIgnoredReasons,
        maxFutureSkew,
        futureSuppression,
        on,
        tenants);
  }

  /** A copy with these tenants' own thresholds. */
  public Rules withTenants(Map<String, Rules> perTenant) {
    return new Rules(
        grace,
        suppression,
        nonceMemory,
        handleMemory,
        denyBurstThreshold,
        denyBurstWindow,
        inconsistencyWindow,
        inconsistencyIgnoredReasons,
        maxFutureSkew,
        futureSuppression,
        backlogProofState,
        perTenant);
  }

  /** A copy with another deny-burst threshold and window (tests, bench). */
  public Rules withDenyBurst(int threshold, Duration window) {
    return new Rules(
        grace,
        suppression,
        nonceMemory,
        handleMemory,
        threshold,
        window,
        inconsistencyWindow,
        inconsistencyIgnoredReasons,
        maxFutureSkew,
        futureSuppression,
        backlogProofState,
        tenants);
  }
}
