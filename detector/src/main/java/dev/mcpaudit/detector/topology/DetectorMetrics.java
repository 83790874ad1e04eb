package dev.mcpaudit.detector.topology;

import dev.mcpaudit.schema.alert.AlertType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the rules did, for /metrics: alerts raised and suppressed per type, events too late or
 * unreadable or dated in the future.
 */
public final class DetectorMetrics {
  private final Map<AlertType, Counter> raised = new EnumMap<>(AlertType.class);
  private final Map<AlertType, Counter> suppressed = new EnumMap<>(AlertType.class);
  private final Counter late;
  private final Map<String, Counter> unreadable = new java.util.HashMap<>();
  private final Counter future;
  private final Counter stateReads;
  private final Map<String, Counter> notKept = new java.util.HashMap<>();

  public DetectorMetrics(MeterRegistry registry) {
    for (AlertType t : AlertType.values()) {
      raised.put(
          t,
          Counter.builder("mcp_audit_detector_alerts_raised")
              .tag("type", t.name())
              .description("alerts written to the alerts topic, by type")
              .register(registry));
      suppressed.put(
          t,
          Counter.builder("mcp_audit_detector_alerts_suppressed")
              .tag("type", t.name())
              .description("alerts not raised again within the suppression period, by type")
              .register(registry));
    }
    late =
        Counter.builder("mcp_audit_detector_events_late")
            .description("events older than the grace period behind the newest one; not judged")
            .register(registry);
    for (String reason : UNREADABLE_REASONS) {
      unreadable.put(
          reason,
          Counter.builder("mcp_audit_detector_events_unreadable")
              .tag("reason", reason)
              .description(
                  "records skipped before any rule: empty, not JSON, not a valid contract event, or"
                      + " tenant _system without the api's stamp (the indexer dead-letters them)")
              .register(registry));
    }
    future =
        Counter.builder("mcp_audit_detector_future_events")
            .description(
                "events dated further ahead than detector.max-future-skew; judged at that bound")
            .register(registry);
    stateReads =
        Counter.builder("mcp_audit_detector_state_reads")
            .description("state-store entries the rules read; per event it is bounded per key")
            .register(registry);
    for (String store : CAPPED_STORES) {
      notKept.put(
          store,
          Counter.builder("mcp_audit_detector_entries_not_kept")
              .tag("store", store)
              .description(
                  "events not remembered because their key already holds its capacity there")
              .register(registry));
    }
  }

  static final java.util.List<String> CAPPED_STORES =
      java.util.List.of(
          ReplayProcessor.NONCES,
          HandleProcessor.FACTS,
          HandleProcessor.DECISIONS,
          DenyBurstProcessor.DENIES);

  /** Why a record was skipped: no bytes, not JSON, or JSON that breaks the contract. */
  static final java.util.List<String> UNREADABLE_REASONS =
      java.util.List.of("empty", "not_json", "invalid", "unproven_system");

  public static DetectorMetrics unregistered() {
    return new DetectorMetrics(new SimpleMeterRegistry());
  }

  void raised(AlertType t) {
    raised.get(t).increment();
  }

  void suppressed(AlertType t) {
    suppressed.get(t).increment();
  }

  void late() {
    late.increment();
  }

  void unreadable(String reason) {
    unreadable.get(reason).increment();
  }

  void future() {
    future.increment();
  }

  void stateReads(int n) {
    if (n > 0) {
      stateReads.increment(n);
    }
  }

  void notKept(String store) {
    notKept.get(store).increment();
  }

  public double stateReadCount() {
    return stateReads.count();
  }

  public double notKeptCount() {
    return notKept.values().stream().mapToDouble(Counter::count).sum();
  }

  public double unreadableCount() {
    return unreadable.values().stream().mapToDouble(Counter::count).sum();
  }

  public double futureCount() {
    return future.count();
  }

  public double lateCount() {
    return late.count();
  }
}
