package dev.mcpaudit.collector.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** What the collector counts for /metrics. */
final class CollectorMetrics {
  private final MeterRegistry registry;
  final Counter accepted;
  final Counter rejected;
  final Counter unavailable;
  final Counter outOfScope;

  CollectorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.accepted =
        Counter.builder("mcp_audit_collector_events_accepted")
            .description("events Kafka acknowledged")
            .register(registry);
    this.rejected =
        Counter.builder("mcp_audit_collector_events_rejected")
            .description("events refused with field errors and sent to the dead-letter topic")
            .register(registry);
    this.outOfScope =
        Counter.builder("mcp_audit_collector_events_out_of_scope")
            .description(
                "valid events refused because their tenant or gateway is outside the source token's scope "
                    + "(counted among the rejected too)")
            .register(registry);
    this.unavailable =
        Counter.builder("mcp_audit_collector_batches_unavailable")
            .description("batches answered 503 because Kafka did not acknowledge them in time")
            .register(registry);
  }

  void request(int status) {
    Counter.builder("mcp_audit_collector_requests")
        .tag("status", Integer.toString(status))
        .description("requests to /v1/decisions answered, by HTTP status")
        .register(registry)
        .increment();
  }
}
