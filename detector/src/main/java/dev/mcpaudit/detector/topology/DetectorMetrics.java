package dev.mcpaudit.detector.topology;

import dev.mcpaudit.schema.alert.AlertType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the rules did, for /metrics: alerts raised and suppressed per type, events too late or
 * unreadable.
 */
public final class DetectorMetrics {
  private final Map<AlertType, Counter> raised = new EnumMap<>(AlertType.class);
  private final Map<AlertType, Counter> suppressed = new EnumMap<>(AlertType.class);
  private final Counter late;
  private final Counter unreadable;

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
    unreadable =
        Counter.builder("mcp_audit_detector_events_unreadable")
            .description("records that are not a contract event; sent to the dead-letter topic")
            .register(registry);
  }

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

  void unreadable() {
    unreadable.increment();
  }

  public double lateCount() {
    return late.count();
  }
}
