package dev.mcpaudit.schema.event;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One event of contract v1 ({@code mcp.authz/v1}): an authorization decision or a handle
 * lifecycle step. Instances built by {@link EventCodec} have passed the validator; the record
 * itself only guards what every consumer relies on (id, kind, time, tenant, actor).
 */
public record AuthzEvent(
    String schema,
    String eventId,
    EventKind kind,
    Instant occurredAt,
    Instant receivedAt,
    String tenant,
    Decision decision,
    String reasonCode,
    String reason,
    Handle handle,
    Actor actor,
    Tool tool,
    RequestInfo request,
    Source source,
    Policy policy,
    Long latencyUs,
    Map<String, String> attributes) {

  public static final String SCHEMA_V1 = "mcp.authz/v1";

  public AuthzEvent {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(eventId, "event_id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(occurredAt, "occurred_at");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(actor, "actor");
    // Sorted so canonical JSON is byte-for-byte stable.
    attributes =
        attributes == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>(attributes));
  }

  /** The Kafka record key (docs/architecture.md, "Topics"): the handle, so one handle's life stays in one partition. */
  public String partitionKey() {
    return handle != null && handle.id() != null ? handle.id() : actor.id();
  }

  /** A copy stamped by the collector; whatever the publisher sent for these fields is replaced. */
  public AuthzEvent stampedByCollector(Instant receivedAt, String principal) {
    Source stamped =
        source == null ? new Source(null, null, null, principal) : source.withAuthenticated(principal);
    return new AuthzEvent(
        schema, eventId, kind, occurredAt, receivedAt, tenant, decision, reasonCode, reason, handle,
        actor, tool, request, stamped, policy, latencyUs, attributes);
  }
}
