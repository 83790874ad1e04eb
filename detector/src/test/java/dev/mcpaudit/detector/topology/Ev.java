package dev.mcpaudit.detector.topology;

import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import java.time.Instant;
import java.util.List;

/**
 * Terse events for the rule tests: what differs between cases is spelled out, the rest defaults.
 */
public record Ev(
    String id,
    EventKind kind,
    Instant at,
    Decision decision,
    String reason,
    String handle,
    Instant expiresAt,
    String actor,
    String tool,
    String nonce,
    String worker,
    String tenant) {

  public static Ev allow(String id, Instant at) {
    return new Ev(
        id,
        EventKind.DECISION,
        at,
        Decision.ALLOW,
        "ALLOWED",
        "h-1",
        null,
        "spiffe://ex/agent/a",
        "create_issue",
        "n-" + id,
        "w-1",
        "tenant-a");
  }

  public static Ev deny(String id, Instant at) {
    return new Ev(
        id,
        EventKind.DECISION,
        at,
        Decision.DENY,
        "POLICY_DENY",
        "h-1",
        null,
        "spiffe://ex/agent/a",
        "create_issue",
        "n-" + id,
        "w-1",
        "tenant-a");
  }

  public static Ev lifecycle(String id, EventKind kind, Instant at) {
    return new Ev(
        id,
        kind,
        at,
        null,
        null,
        "h-1",
        null,
        "spiffe://ex/agent/a",
        null,
        null,
        "w-1",
        "tenant-a");
  }

  public Ev handle(String h) {
    return new Ev(id, kind, at, decision, reason, h, expiresAt, actor, tool, nonce, worker, tenant);
  }

  public Ev expires(Instant e) {
    return new Ev(id, kind, at, decision, reason, handle, e, actor, tool, nonce, worker, tenant);
  }

  public Ev reason(String r) {
    return new Ev(id, kind, at, decision, r, handle, expiresAt, actor, tool, nonce, worker, tenant);
  }

  public Ev actor(String a) {
    return new Ev(
        id, kind, at, decision, reason, handle, expiresAt, a, tool, nonce, worker, tenant);
  }

  public Ev tool(String t) {
    return new Ev(
        id, kind, at, decision, reason, handle, expiresAt, actor, t, nonce, worker, tenant);
  }

  public Ev nonce(String n) {
    return new Ev(
        id, kind, at, decision, reason, handle, expiresAt, actor, tool, n, worker, tenant);
  }

  public Ev worker(String w) {
    return new Ev(id, kind, at, decision, reason, handle, expiresAt, actor, tool, nonce, w, tenant);
  }

  public Ev tenant(String t) {
    return new Ev(id, kind, at, decision, reason, handle, expiresAt, actor, tool, nonce, worker, t);
  }

  public AuthzEvent event() {
    Handle h =
        handle == null
            ? null
            : new Handle(
                handle,
                null,
                null,
                expiresAt,
                kind == EventKind.DECISION ? null : List.of("repo:write"),
                null,
                null);
    return AuthzEvent.builder()
        .eventId(id)
        .kind(kind)
        .occurredAt(at)
        .tenant(tenant)
        .decision(decision)
        .reasonCode(reason)
        .handle(h)
        .actor(new Actor(actor, ActorType.AGENT, "user@example.org", null))
        .tool(tool == null ? null : new Tool("github", tool, "tools/call", null))
        .request(nonce == null ? null : new RequestInfo("req-" + id, nonce, null, null, null))
        .source(new Source("gw-1", worker, null, null))
        .build();
  }
}
