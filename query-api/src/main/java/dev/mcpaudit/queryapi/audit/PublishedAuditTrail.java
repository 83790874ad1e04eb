package dev.mcpaudit.queryapi.audit;

import dev.mcpaudit.collector.publisher.DecisionPublisher;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the API's authorization decisions through {@link DecisionPublisher} into the same
 * pipeline as everyone else's (durable spool, so an audit event survives Kafka being away).
 * Publishing never delays or fails the request it describes.
 */
public final class PublishedAuditTrail implements AuditTrail, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PublishedAuditTrail.class);

  private final DecisionPublisher publisher;
  private final Clock clock;
  private final String instance;

  public PublishedAuditTrail(DecisionPublisher publisher, Clock clock, String instance) {
    this.publisher = publisher;
    this.clock = clock;
    this.instance = instance;
  }

  @Override
  public void record(String principal, String endpoint, boolean allowed, String reasonCode, String reason) {
    String actorId = principal == null || principal.isBlank() ? "anonymous" : principal.replaceAll("\\s", "_");
    AuthzEvent e = new AuthzEvent(
        AuthzEvent.SCHEMA_V1,
        "api-" + UUID.randomUUID(),
        EventKind.DECISION,
        clock.instant(),
        null,
        Caller.SYSTEM_TENANT,
        allowed ? Decision.ALLOW : Decision.DENY,
        reasonCode,
        reason,
        null,
        Actor.of(actorId, ActorType.USER),
        new Tool("mcp-audit", endpoint, "http/request", null),
        new RequestInfo(null, null, null, null, null),
        new Source("mcp-audit-api", instance, null, null),
        null,
        null,
        null);
    publisher.publish(e).whenComplete((receipt, error) -> {
      if (error != null) {
        log.warn("api audit event not published endpoint={} error={}", endpoint, error.toString());
      }
    });
  }

  @Override
  public void close() {
    publisher.close();
  }
}
