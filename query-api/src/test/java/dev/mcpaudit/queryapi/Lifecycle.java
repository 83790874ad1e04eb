package dev.mcpaudit.queryapi;

import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One handle's story with known answers: issued (expires in 30 min), used, revoked at +10 min, used
 * again (one allow that should not have happened, one deny), used after expiry.
 */
public final class Lifecycle {
  public static final String HANDLE = "h-lifecycle-1";
  static final String ACTOR = "spiffe://acme.example/agent/lifecycle";
  static final long DECISIONS = 6;
  static final long ALLOWS = 4;
  static final long ATTEMPTS_AFTER_REVOCATION = 3;
  static final long ALLOWED_AFTER_REVOCATION = 2;
  static final long ATTEMPTS_AFTER_EXPIRY = 1;
  static final long ALLOWED_AFTER_EXPIRY = 1;

  private Lifecycle() {}

  static Instant revokedAt(Instant t0) {
    return t0.plus(Duration.ofMinutes(10));
  }

  static Instant expiresAt(Instant t0) {
    return t0.plus(Duration.ofMinutes(30));
  }

  /** In occurred_at order. */
  public static List<AuthzEvent> events(Instant t0) {
    Handle issued =
        new Handle(
            HANDLE,
            "triage",
            t0,
            expiresAt(t0),
            List.of("issues:write"),
            "https://gw.acme.example",
            null);
    return List.of(
        lifecycle("lc-00", EventKind.HANDLE_ISSUED, t0, issued),
        use("lc-01", t0.plus(Duration.ofMinutes(1)), Decision.ALLOW, "ALLOWED", "create_issue"),
        use("lc-02", t0.plus(Duration.ofMinutes(2)), Decision.ALLOW, "ALLOWED", "create_issue"),
        use(
            "lc-03",
            t0.plus(Duration.ofMinutes(5)),
            Decision.DENY,
            "HANDLE_SCOPE_MISMATCH",
            "delete_repo"),
        lifecycle("lc-04", EventKind.HANDLE_REVOKED, revokedAt(t0), Handle.of(HANDLE)),
        use("lc-05", t0.plus(Duration.ofMinutes(12)), Decision.ALLOW, "ALLOWED", "create_issue"),
        use(
            "lc-06",
            t0.plus(Duration.ofMinutes(13)),
            Decision.DENY,
            "HANDLE_REVOKED",
            "create_issue"),
        use("lc-07", t0.plus(Duration.ofMinutes(40)), Decision.ALLOW, "ALLOWED", "create_issue"));
  }

  private static AuthzEvent use(String id, Instant at, Decision d, String code, String tool) {
    return AuthzEvent.builder()
        .eventId(id)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant("acme")
        .decision(d)
        .reasonCode(code)
        .handle(Handle.of(HANDLE))
        .actor(Actor.of(ACTOR, ActorType.AGENT))
        .tool(new Tool("github", tool, "tools/call", null))
        .request(new RequestInfo(null, "nonce-" + id, null, null, null))
        .source(new Source("gw-1", "w-" + id.charAt(4), null, null))
        .build();
  }

  private static AuthzEvent lifecycle(String id, EventKind kind, Instant at, Handle h) {
    return AuthzEvent.builder()
        .eventId(id)
        .kind(kind)
        .occurredAt(at)
        .tenant("acme")
        .handle(h)
        .actor(Actor.of(ACTOR, ActorType.AGENT))
        .build();
  }
}
