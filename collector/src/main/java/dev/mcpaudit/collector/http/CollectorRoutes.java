package dev.mcpaudit.collector.http;

import dev.mcpaudit.runtime.health.Health;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/**
 * The ingestion route with its Kafka producer, mountable on any Javalin config: the collector
 * role's own server, or the quickstart's single port. Closing it closes the producer.
 */
public final class CollectorRoutes implements AutoCloseable {
  private final KafkaGate gate;
  private final IngestEndpoint ingest;

  /**
   * @throws dev.mcpaudit.kafka.client.KafkaAccessRefused when Kafka refuses the collector's
   *     credentials: a role that cannot write must not start
   */
  public CollectorRoutes(CollectorConfig config, MeterRegistry registry, Clock clock) {
    config.kafka().requireAccess("mcp-audit-collector");
    this.gate = new KafkaGate(config.kafka(), "mcp-audit-collector", config.kafkaTimeout());
    this.ingest = new IngestEndpoint(config, gate, new CollectorMetrics(registry), clock);
  }

  public void install(JavalinConfig config) {
    ingest.install(config);
  }

  /** Null while Kafka answers; why not otherwise. */
  public Health health() {
    return gate.health();
  }

  @Override
  public void close() {
    gate.close();
  }
}
