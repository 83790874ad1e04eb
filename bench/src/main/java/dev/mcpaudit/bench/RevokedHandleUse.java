package dev.mcpaudit.bench;

import dev.mcpaudit.app.simulate.DemoTraffic;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import java.time.Instant;

/**
 * The incident the latency probes time: a handle revoked and used a millisecond later, which the
 * detector must alert on. The id of each event is the handle's, so an alert names its probe.
 */
final class RevokedHandleUse {
  private RevokedHandleUse() {}

  static AuthzEvent revoked(String handle, Instant usedAt) {
    return event(handle, EventKind.HANDLE_REVOKED, usedAt.minusMillis(1));
  }

  static AuthzEvent used(String handle, Instant usedAt) {
    return event(handle, EventKind.DECISION, usedAt);
  }

  private static AuthzEvent event(String h, EventKind kind, Instant at) {
    boolean decision = kind == EventKind.DECISION;
    return AuthzEvent.builder()
        .eventId(h + (decision ? "-use" : "-revoked"))
        .kind(kind)
        .occurredAt(at)
        .tenant(DemoTraffic.TENANTS.get(0))
        .decision(decision ? Decision.ALLOW : null)
        .reasonCode(decision ? "ALLOWED" : null)
        .handle(new Handle(h, null, null, null, null, null, null))
        .actor(new Actor("spiffe://example.org/agent/probe", ActorType.AGENT, null, null))
        .tool(decision ? new Tool("github", "create_issue", "tools/call", null) : null)
        .source(new Source("gw-probe", "w-1", null, null))
        .build();
  }
}
