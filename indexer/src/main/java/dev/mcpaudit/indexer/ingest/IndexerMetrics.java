package dev.mcpaudit.indexer.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What the indexer counts for /metrics: throughput, dead letters, lag, commit and refresh times.
 */
public final class IndexerMetrics {
  private final MeterRegistry registry;
  final Counter indexed;
  final Counter deadLettered;
  final Counter identical;
  final Counter conflicting;
  final Counter unprovenSystem;
  final Counter claimsRemoved;
  final Timer commit;
  public final Timer refresh;
  private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();

  public IndexerMetrics(MeterRegistry registry, Supplier<Number> docCount) {
    this.registry = registry;
    indexed =
        Counter.builder("mcp_audit_indexer_events_indexed")
            .description("events written to the index")
            .register(registry);
    deadLettered =
        Counter.builder("mcp_audit_indexer_dead_lettered")
            .description("records sent to the dead-letter topic")
            .register(registry);
    identical =
        Counter.builder("mcp_audit_indexer_duplicates")
            .tag("kind", "identical")
            .description(
                "records whose (tenant, event_id) was already recorded: identical redeliveries dropped, "
                    + "conflicting versions sent to the dead-letter topic with an alert")
            .register(registry);
    conflicting =
        Counter.builder("mcp_audit_indexer_duplicates")
            .tag("kind", "conflicting")
            .description(
                "records whose (tenant, event_id) was already recorded: identical redeliveries dropped, "
                    + "conflicting versions sent to the dead-letter topic with an alert")
            .register(registry);
    unprovenSystem =
        Counter.builder("mcp_audit_indexer_unproven_refused")
            .tag("record", "system")
            .description(
                "records refused for want of a valid stamp (docs/provenance.md): tenant _system"
                    + " without the api's, alerts without the detector's or the indexer's")
            .register(registry);
    claimsRemoved =
        Counter.builder("mcp_audit_indexer_unproven_claims_removed")
            .description(
                "events stored without the received_at or source.authenticated they claimed, having"
                    + " no valid collector stamp")
            .register(registry);
    commit =
        Timer.builder("mcp_audit_indexer_commit")
            .description("index commit latency")
            .register(registry);
    refresh =
        Timer.builder("mcp_audit_indexer_refresh")
            .description("near-real-time refresh latency")
            .register(registry);
    Gauge.builder("mcp_audit_indexer_docs", docCount)
        .description("live documents in the index")
        .register(registry);
  }

  void lag(String topicPartition, long records) {
    lag.computeIfAbsent(
            topicPartition,
            tp -> {
              AtomicLong v = new AtomicLong();
              Gauge.builder("mcp_audit_indexer_consumer_lag", v, AtomicLong::get)
                  .tag("partition", tp)
                  .description("records behind the end of the partition")
                  .register(registry);
              return v;
            })
        .set(records);
  }

  public long indexedCount() {
    return (long) indexed.count();
  }

  public long identicalDuplicates() {
    return (long) identical.count();
  }

  public long conflictingDuplicates() {
    return (long) conflicting.count();
  }

  public long deadLetteredCount() {
    return (long) deadLettered.count();
  }
}
