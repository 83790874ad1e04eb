package dev.mcpaudit.schema.event;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One event of contract v1 ({@code mcp.authz/v1}): an authorization decision or a handle lifecycle
 * step. Instances built by {@link EventCodec} have passed the validator; the record itself only
 * guards what every consumer relies on (id, kind, time, tenant, actor).
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

  /**
   * The Kafka record key (docs/architecture.md, "Topics"): the handle, so one handle's life stays
   * in one partition.
   */
  public String partitionKey() {
    return handle != null && handle.id() != null ? handle.id() : actor.id();
  }

  /** A copy stamped by the collector; whatever the publisher sent for these fields is replaced. */
  public AuthzEvent stampedByCollector(Instant receivedAt, String principal) {
    Source stamped =
        source == null
            ? new Source(null, null, null, principal)
            : source.withAuthenticated(principal);
    return toBuilder().receivedAt(receivedAt).source(stamped).build();
  }

  /**
   * A new event of contract v1, field by field: what code and tests use instead of the 17-argument
   * constructor.
   */
  public static Builder builder() {
    return new Builder().schema(SCHEMA_V1);
  }

  /** This event's fields, to build a changed copy. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Builds an {@link AuthzEvent}; every field is optional here, {@link #build()} checks what the
   * record requires.
   */
  public static final class Builder {
    private String schema;
    private String eventId;
    private EventKind kind;
    private Instant occurredAt;
    private Instant receivedAt;
    private String tenant;
    private Decision decision;
    private String reasonCode;
    private String reason;
    private Handle handle;
    private Actor actor;
    private Tool tool;
    private RequestInfo request;
    private Source source;
    private Policy policy;
    private Long latencyUs;
    private Map<String, String> attributes;

    private Builder() {}

    private Builder(AuthzEvent e) {
      schema = e.schema;
      eventId = e.eventId;
      kind = e.kind;
      occurredAt = e.occurredAt;
      receivedAt = e.receivedAt;
      tenant = e.tenant;
      decision = e.decision;
      reasonCode = e.reasonCode;
      reason = e.reason;
      handle = e.handle;
      actor = e.actor;
      tool = e.tool;
      request = e.request;
      source = e.source;
      policy = e.policy;
      latencyUs = e.latencyUs;
      attributes = e.attributes;
    }

    public Builder schema(String v) {
      schema = v;
      return this;
    }

    public Builder eventId(String v) {
      eventId = v;
      return this;
    }

    public Builder kind(EventKind v) {
      kind = v;
      return this;
    }

    public Builder occurredAt(Instant v) {
      occurredAt = v;
      return this;
    }

    public Builder receivedAt(Instant v) {
      receivedAt = v;
      return this;
    }

    public Builder tenant(String v) {
      tenant = v;
      return this;
    }

    public Builder decision(Decision v) {
      decision = v;
      return this;
    }

    public Builder reasonCode(String v) {
      reasonCode = v;
      return this;
    }

    public Builder reason(String v) {
      reason = v;
      return this;
    }

    public Builder handle(Handle v) {
      handle = v;
      return this;
    }

    public Builder actor(Actor v) {
      actor = v;
      return this;
    }

    public Builder tool(Tool v) {
      tool = v;
      return this;
    }

    public Builder request(RequestInfo v) {
      request = v;
      return this;
    }

    public Builder source(Source v) {
      source = v;
      return this;
    }

    public Builder policy(Policy v) {
      policy = v;
      return this;
    }

    public Builder latencyUs(Long v) {
      latencyUs = v;
      return this;
    }

    public Builder attributes(Map<String, String> v) {
      attributes = v;
      return this;
    }

    public AuthzEvent build() {
      return new AuthzEvent(
          schema,
          eventId,
          kind,
          occurredAt,
          receivedAt,
          tenant,
          decision,
          reasonCode,
          reason,
          handle,
          actor,
          tool,
          request,
          source,
          policy,
          latencyUs,
          attributes);
    }
  }
}
