package dev.mcpaudit.detector;

import dev.mcpaudit.kafka.client.GroupLag;
import dev.mcpaudit.kafka.client.LagWatch;
import dev.mcpaudit.runtime.health.Health;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * How far detection is behind the decisions topic (docs/architecture.md, "Lag"): per partition,
 * decisions not yet judged and how long the oldest of them has waited, as measured by {@link
 * GroupLag} for the detector's own application id. In {@code /metrics}, and in readiness past
 * {@code detector.max-lag}.
 */
final class DetectionLag {
  private final Supplier<Optional<GroupLag.Snapshot>> watch;
  private final Duration maxLag;

  /**
   * @param watch the latest measurement ({@link LagWatch#latest}), empty until there is one
   */
  DetectionLag(
      Supplier<Optional<GroupLag.Snapshot>> watch,
      int partitions,
      Duration maxLag,
      MeterRegistry registry) {
    this.watch = watch;
    this.maxLag = maxLag;
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      gauge(
          registry,
          "mcp_audit_detector_lag_records",
          "decisions on the topic not yet judged by the detector, per partition",
          partition,
          GroupLag.Partition::records);
      gauge(
          registry,
          "mcp_audit_detector_lag_seconds",
          "how long the oldest decision not yet judged has waited, per partition (0 when none"
              + " waits)",
          partition,
          x -> x.behind(watch.get().orElseThrow().at()).toMillis() / 1000.0);
    }
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String description,
      int partition,
      ToDoubleFunction<GroupLag.Partition> value) {
    Gauge.builder(
            name,
            this,
            l -> l.partition(partition).map(x -> value.applyAsDouble(x)).orElse(Double.NaN))
        .tag("partition", Integer.toString(partition))
        .description(description)
        .register(registry);
  }

  private Optional<GroupLag.Partition> partition(int p) {
    return watch
        .get()
        .flatMap(s -> s.partitions().stream().filter(x -> x.partition() == p).findFirst());
  }

  Optional<GroupLag.Snapshot> latest() {
    return watch.get();
  }

  /** Not ready while the oldest waiting decision has waited past {@code detector.max-lag}. */
  Health health() {
    Optional<GroupLag.Snapshot> s = watch.get();
    if (s.isEmpty() || s.get().behind().compareTo(maxLag) <= 0) {
      return Health.READY;
    }
    return Health.notReady(
        "detection is "
            + s.get().behind().toSeconds()
            + " s behind ("
            + s.get().records()
            + " decisions waiting), past detector.max-lag "
            + maxLag.toSeconds()
            + " s");
  }
}
