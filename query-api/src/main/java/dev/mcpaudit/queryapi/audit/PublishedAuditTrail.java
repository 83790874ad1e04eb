package dev.mcpaudit.queryapi.audit;

import dev.mcpaudit.kafka.client.KafkaClients;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.publisher.DecisionPublisher;
import dev.mcpaudit.runtime.http.LogText;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tenants;
import dev.mcpaudit.schema.event.Tool;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the API's authorization decisions through {@link DecisionPublisher} into the same
 * pipeline as everyone else's (durable spool, so an audit event survives Kafka being away).
 * Publishing never delays or fails the request it describes. Refusals before authentication are
 * counted by {@link RefusedRequests} and published as one event per key when their window ends
 * (checked every second) and at close.
 */
public final class PublishedAuditTrail implements AuditTrail, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PublishedAuditTrail.class);
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
  public static final int DEFAULT_MAX_KEYS = 1000;

  private final DecisionPublisher publisher;
  private final Clock clock;
  private final String instance;
  private final RefusedRequests refused;
  private final ScheduledExecutorService flusher;

  public PublishedAuditTrail(DecisionPublisher publisher, Clock clock, String instance) {
    this(publisher, clock, instance, DEFAULT_WINDOW, DEFAULT_MAX_KEYS);
  }

  /**
   * @param window how long refusals are counted before they are published as one event per key
   *     ({@code api.audit.refused-window}, default 1 minute)
   * @param maxKeys most distinct (address, operation, reason) keys per window; more go to the
   *     overflow bucket ({@code api.audit.refused-max-keys}, default 1000)
   */
  public PublishedAuditTrail(
      DecisionPublisher publisher, Clock clock, String instance, Duration window, int maxKeys) {
    if (!publisher.isApiAuditTrail()) {
      throw new IllegalArgumentException(
          "the API's audit trail needs the publisher made by PublishedAuditTrail.publisher(...)");
    }
    this.publisher = publisher;
    this.clock = clock;
    this.instance = AuditText.principal(instance);
    this.refused = new RefusedRequests(window, maxKeys);
    this.flusher =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("mcp-audit-api-audit-flush").daemon(true).unstarted(r));
    long tick = Math.min(1000, Math.max(10, window.toMillis() / 4));
    flusher.scheduleWithFixedDelay(
        () -> publish(refused.rollIfDue(clock.instant())), tick, tick, TimeUnit.MILLISECONDS);
  }

  /**
   * The API's audit publisher: the one writer of tenant {@code _system}, spooled so an audit event
   * survives Kafka being away.
   */
  public static DecisionPublisher.Builder publisher(
      KafkaClients kafka, String topic, Path spoolDirectory, Stamps stamps) {
    return DecisionPublisher.builder()
        .apiAuditTrail()
        // The indexer takes tenant _system only with this stamp (docs/provenance.md).
        .stampKey(stamps.signingKey().orElse(null))
        .kafka(kafka)
        .topic(topic)
        .clientId("mcp-audit-api-audit")
        .spoolDirectory(spoolDirectory)
        .closeTimeout(Duration.ofSeconds(10));
  }

  @Override
  public void record(
      String principal, String endpoint, boolean allowed, String reasonCode, String reason) {
    publish(
        event(
            clock.instant(),
            AuditText.principal(principal),
            endpoint,
            allowed ? Decision.ALLOW : Decision.DENY,
            reasonCode,
            AuditText.reason(reason),
            null));
  }

  @Override
  public void changed(
      String principal, String endpoint, String summary, Map<String, String> attributes) {
    Map<String, String> safe = new java.util.LinkedHashMap<>();
    attributes.forEach((k, v) -> safe.put(k, AuditText.reason(v)));
    publish(
        event(
            clock.instant(),
            AuditText.principal(principal),
            endpoint,
            Decision.ALLOW,
            "ALLOWED",
            AuditText.reason(summary),
            safe));
  }

  @Override
  public void refused(String sourceAddress, String endpoint, String reasonCode, String reason) {
    String address =
        sourceAddress == null || sourceAddress.isBlank()
            ? "unknown"
            : AuditText.principal(sourceAddress);
    publish(refused.add(clock.instant(), address, endpoint, reasonCode, reason));
  }

  private void publish(List<RefusedRequests.Tally> tallies) {
    for (RefusedRequests.Tally t : tallies) {
      RefusedRequests.Key k = t.key();
      String reason =
          t.count()
              + (t.count() == 1 ? " request" : " requests")
              + " refused from "
              + k.address()
              + " between "
              + Rfc3339.format(t.windowStart())
              + " and "
              + Rfc3339.format(t.windowEnd())
              + (t.firstReason() == null ? "" : "; first: " + t.firstReason());
      publish(
          event(
              t.first(),
              "anonymous",
              k.endpoint(),
              Decision.DENY,
              k.reasonCode(),
              AuditText.reason(reason),
              Map.of(
                  "count", Long.toString(t.count()),
                  "source_address", k.address(),
                  "window_start", Rfc3339.format(t.windowStart()),
                  "window_end", Rfc3339.format(t.windowEnd()))));
    }
  }

  private AuthzEvent event(
      Instant at,
      String actorId,
      String endpoint,
      Decision decision,
      String reasonCode,
      String reason,
      Map<String, String> attributes) {
    return AuthzEvent.builder()
        .eventId("api-" + UUID.randomUUID())
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant(Tenants.SYSTEM)
        .decision(decision)
        .reasonCode(reasonCode)
        .reason(reason)
        .actor(Actor.of(actorId, ActorType.USER))
        .tool(new Tool("mcp-audit", endpoint, "http/request", null))
        .request(new RequestInfo(null, null, null, null, null))
        .source(new Source("mcp-audit-api", instance, null, null))
        .attributes(attributes)
        .build();
  }

  private void publish(AuthzEvent e) {
    publisher
        .publish(e)
        .whenComplete(
            (receipt, error) -> {
              if (error != null) {
                log.warn(
                    "api audit event not published endpoint={} error={}",
                    e.tool().name(),
                    LogText.of(error.toString(), 300));
              }
            });
  }

  /**
   * Publishes what is still counted, then closes the publisher (which waits for Kafka, up to its
   * close timeout).
   */
  @Override
  public void close() {
    flusher.shutdown();
    try {
      flusher.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publish(refused.drain());
    publisher.close();
  }
}
