package dev.mcpaudit.detector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.kafka.client.GroupLag;
import dev.mcpaudit.runtime.health.Health;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DetectionLagTest {
  private static final Instant AT = Instant.parse("2026-11-26T10:00:00Z");

  @Test
  void lagPastTheLimitIsNotReadyAndEveryPartitionIsInTheMetrics() {
    AtomicReference<Optional<GroupLag.Snapshot>> latest = new AtomicReference<>(Optional.empty());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DetectionLag lag = new DetectionLag(latest::get, 2, Duration.ofMinutes(5), registry);
    assertThat(lag.health()).isEqualTo(Health.READY);
    assertThat(gauge(registry, "mcp_audit_detector_lag_records", 0)).isNaN();

    latest.set(
        Optional.of(
            new GroupLag.Snapshot(
                AT,
                List.of(
                    new GroupLag.Partition(0, 120, AT.minusSeconds(400).toEpochMilli()),
                    new GroupLag.Partition(1, 0, -1)))));
    assertThat(lag.health())
        .isEqualTo(
            Health.notReady(
                "detection is 400 s behind (120 decisions waiting), past detector.max-lag 300 s"));
    assertThat(gauge(registry, "mcp_audit_detector_lag_records", 0)).isEqualTo(120);
    assertThat(gauge(registry, "mcp_audit_detector_lag_seconds", 0)).isEqualTo(400);
    assertThat(gauge(registry, "mcp_audit_detector_lag_records", 1)).isZero();
    assertThat(gauge(registry, "mcp_audit_detector_lag_seconds", 1)).isZero();

    latest.set(
        Optional.of(
            new GroupLag.Snapshot(
                AT, List.of(new GroupLag.Partition(0, 3, AT.minusSeconds(2).toEpochMilli())))));
    assertThat(lag.health()).isEqualTo(Health.READY);
  }

  private static double gauge(SimpleMeterRegistry registry, String name, int partition) {
    return registry.get(name).tag("partition", Integer.toString(partition)).gauge().value();
  }
}
