package dev.mcpaudit.app.simulate;

import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.schema.event.Policy;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Realistic MCP authorization traffic: gateways with several workers each, agents acting for users,
 * a catalog of MCP servers and tools, handles issued with scopes and expiry, used (with fan-out and
 * retries), rotated, expiring and revoked. A healthy fleet agrees with itself (the decision for a
 * handle and tool does not depend on the worker), so clean traffic raises no alert; every {@code
 * incidentEvery} one incident the detector looks for is mixed in, in turn: revoked handle use,
 * replay across workers, deny burst, inconsistent workers, expired handle use.
 */
public final class DemoTraffic {
  record ToolRef(String server, String name, String method) {
    String scope() {
      return server + ":" + name;
    }
  }

  private static final List<ToolRef> CATALOG =
      List.of(
          new ToolRef("github", "list_repositories", "tools/call"),
          new ToolRef("github", "read_file", "resources/read"),
          new ToolRef("github", "create_issue", "tools/call"),
          new ToolRef("github", "create_pull_request", "tools/call"),
          new ToolRef("github", "merge_pull_request", "tools/call"),
          new ToolRef("slack", "post_message", "tools/call"),
          new ToolRef("slack", "search_messages", "tools/call"),
          new ToolRef("jira", "create_ticket", "tools/call"),
          new ToolRef("jira", "transition_ticket", "tools/call"),
          new ToolRef("jira", "search_tickets", "tools/call"),
          new ToolRef("postgres", "run_query", "tools/call"),
          new ToolRef("postgres", "describe_table", "tools/call"),
          new ToolRef("drive", "read_document", "resources/read"),
          new ToolRef("drive", "share_document", "tools/call"),
          new ToolRef("aws", "describe_instances", "tools/call"),
          new ToolRef("aws", "get_cost_report", "tools/call"),
          new ToolRef("aws", "terminate_instance", "tools/call"));

  /** What each kind of agent is for: the tools its handles are scoped to. */
  private static final Map<String, List<String>> ROLES =
      Map.of(
          "code-assistant",
              List.of(
                  "github:list_repositories",
                  "github:read_file",
                  "github:create_pull_request",
                  "jira:search_tickets"),
          "release-bot",
              List.of(
                  "github:read_file",
                  "github:merge_pull_request",
                  "slack:post_message",
                  "jira:transition_ticket"),
          "support-triage",
              List.of(
                  "jira:create_ticket",
                  "jira:search_tickets",
                  "slack:search_messages",
                  "slack:post_message"),
          "data-analyst",
              List.of("postgres:run_query", "postgres:describe_table", "drive:read_document"),
          "infra-operator",
              List.of("aws:describe_instances", "aws:get_cost_report", "slack:post_message"),
          "docs-writer",
              List.of(
                  "drive:read_document",
                  "github:read_file",
                  "github:create_pull_request",
                  "slack:search_messages"));

  /** Tools no agent may use whatever its handle says: policy, not scope. */
  private static final Set<String> POLICY_FORBIDDEN =
      Set.of("aws:terminate_instance", "drive:share_document");

  /** The tenants the demo fleet writes, and so the scope of the quickstart's source token. */
  public static final List<String> TENANTS = List.of("acme", "globex");

  private static final Map<String, List<String>> GATEWAYS =
      Map.of("acme", List.of("gw-eu-1", "gw-us-1"), "globex", List.of("gw-eu-2"));
  private static final int WORKERS = 4;
  private static final List<String> USERS =
      List.of("alice", "bob", "carol", "dmitri", "erin", "farah", "goran", "hana");

  record Agent(String tenant, String id, String role, String user, String client, String gateway) {}

  private static final class LiveHandle {
    final String id;
    final Agent agent;
    final List<String> scopes;
    final Instant issuedAt;
    final Instant expiresAt;
    int uses;

    LiveHandle(String id, Agent agent, List<String> scopes, Instant issuedAt, Instant expiresAt) {
      this.id = id;
      this.agent = agent;
      this.scopes = scopes;
      this.issuedAt = issuedAt;
      this.expiresAt = expiresAt;
    }
  }

  private record Scheduled(Instant due, long order, Function<Instant, AuthzEvent> make) {}

  private final SplittableRandom random;
  private final String run;
  private final List<Agent> agents = new ArrayList<>();
  private final Map<Agent, LiveHandle> live = new HashMap<>();
  private final Deque<AuthzEvent> recentDecisions = new ArrayDeque<>();
  private final PriorityQueue<Scheduled> scheduled =
      new PriorityQueue<>(Comparator.comparing(Scheduled::due).thenComparingLong(Scheduled::order));
  private final Duration incidentEvery;
  private Instant nextIncident;
  private int incidentNo;
  private long seq;

  /**
   * @param agentsPerTenantRole agents per tenant and role: more agents spread a high rate thin, so
   *     no one agent's ordinary denies look like a burst
   * @param firstIncident when the first incident happens (then every {@code incidentEvery}); null
   *     for none
   */
  public DemoTraffic(
      long seed, int agentsPerTenantRole, Instant firstIncident, Duration incidentEvery) {
    this.random = new SplittableRandom(seed);
    this.run = Long.toString(Math.abs(seed) % 1_000_000_000L, 36);
    this.incidentEvery = incidentEvery;
    this.nextIncident = firstIncident;
    for (String tenant : TENANTS) {
      for (String role : ROLES.keySet().stream().sorted().toList()) {
        for (int i = 1; i <= agentsPerTenantRole; i++) {
          String user = USERS.get(random.nextInt(USERS.size()));
          List<String> gws = GATEWAYS.get(tenant);
          agents.add(
              new Agent(
                  tenant,
                  "spiffe://" + tenant + ".example/agent/" + role + "-" + i,
                  role,
                  user + "@" + tenant + ".example",
                  "client-" + role,
                  gws.get(random.nextInt(gws.size()))));
        }
      }
    }
  }

  /**
   * Agents per tenant and role so that each makes at most about one call a second at {@code rate}.
   */
  public static int agentsFor(double ratePerSecond) {
    return Math.max(2, (int) Math.ceil(ratePerSecond / (TENANTS.size() * ROLES.size())));
  }

  /**
   * {@code count} ordinary events at {@code now}, plus whatever scheduled events (fan-out, retries,
   * incidents) are due.
   */
  public List<AuthzEvent> next(Instant now, int count) {
    now = now.truncatedTo(ChronoUnit.MILLIS);
    List<AuthzEvent> out = new ArrayList<>(count + 4);
    if (nextIncident != null && !now.isBefore(nextIncident)) {
      incident(now);
      nextIncident = nextIncident.plus(incidentEvery);
    }
    while (!scheduled.isEmpty() && !scheduled.peek().due().isAfter(now)) {
      Scheduled s = scheduled.poll();
      AuthzEvent e = s.make().apply(s.due());
      if (e != null) {
        out.add(e);
      }
    }
    for (int i = 0; i < count; i++) {
      out.add(ordinary(now));
    }
    return out;
  }

  private AuthzEvent ordinary(Instant now) {
    Agent agent = agents.get(random.nextInt(agents.size()));
    LiveHandle h = live.get(agent);
    if (h == null) {
      return issue(agent, now, Duration.ofMinutes(2 + random.nextInt(14)));
    }
    if (!now.isBefore(h.expiresAt)) {
      live.remove(agent);
      // Mostly the gateway reports the expiry; sometimes the agent tries once more and is told.
      return random.nextInt(3) == 0
          ? call(h, tool(h), now, Decision.DENY, "HANDLE_EXPIRED", worker(h.agent))
          : lifecycle(EventKind.HANDLE_EXPIRED, h, null, now, h.expiresAt);
    }
    int dice = random.nextInt(1000);
    if (dice < 4 && h.uses > 3) {
      live.remove(agent);
      return lifecycle(EventKind.HANDLE_REVOKED, h, null, now, h.expiresAt);
    }
    if (dice < 10 && h.uses > 3) {
      LiveHandle next =
          new LiveHandle(
              handleId(),
              agent,
              h.scopes,
              now,
              now.plus(Duration.ofMinutes(2 + random.nextInt(14))));
      live.put(agent, next);
      return lifecycle(EventKind.HANDLE_ROTATED, next, h.id, now, next.expiresAt);
    }
    ToolRef t = tool(h);
    String worker = worker(agent);
    if (dice < 60) {
      // Fan-out: the agent's plan calls two more tools right after this one.
      for (int k = 1; k <= 2; k++) {
        ToolRef more = tool(h);
        schedule(
            now.plusMillis(80L * k),
            at -> live.get(agent) == h ? decide(h, more, at, worker(agent)) : null);
      }
    } else if (dice < 80 && expectedDecision(h, t) == Decision.ALLOW) {
      // Throttled, then retried by the agent a second later (new nonce, same request id).
      AuthzEvent throttled = call(h, t, now, Decision.DENY, "RATE_LIMITED", worker);
      schedule(
          now.plusSeconds(1), at -> live.get(agent) == h ? decide(h, t, at, worker(agent)) : null);
      return throttled;
    }
    return decide(h, t, now, worker);
  }

  /** What a healthy fleet decides for this handle and tool, on any worker. */
  private static Decision expectedDecision(LiveHandle h, ToolRef t) {
    return reasonFor(h, t).equals("ALLOWED") ? Decision.ALLOW : Decision.DENY;
  }

  private static String reasonFor(LiveHandle h, ToolRef t) {
    if (POLICY_FORBIDDEN.contains(t.scope())) {
      return "POLICY_DENY";
    }
    return h.scopes.contains(t.scope()) ? "ALLOWED" : "HANDLE_SCOPE_MISMATCH";
  }

  private AuthzEvent decide(LiveHandle h, ToolRef t, Instant at, String worker) {
    String reason = reasonFor(h, t);
    return call(
        h, t, at, reason.equals("ALLOWED") ? Decision.ALLOW : Decision.DENY, reason, worker);
  }

  /**
   * Mostly a tool in scope; sometimes one outside it (a confused agent), rarely a forbidden one.
   */
  private ToolRef tool(LiveHandle h) {
    int dice = random.nextInt(100);
    String scope;
    if (dice < 90) {
      scope = h.scopes.get(random.nextInt(h.scopes.size()));
    } else if (dice < 98) {
      scope = CATALOG.get(random.nextInt(CATALOG.size())).scope();
    } else {
      scope =
          POLICY_FORBIDDEN.stream().sorted().toList().get(random.nextInt(POLICY_FORBIDDEN.size()));
    }
    return CATALOG.stream().filter(c -> c.scope().equals(scope)).findFirst().orElseThrow();
  }

  private String worker(Agent a) {
    return "w-" + (1 + random.nextInt(WORKERS));
  }

  private AuthzEvent issue(Agent agent, Instant now, Duration life) {
    List<String> role = ROLES.get(agent.role());
    List<String> scopes = new ArrayList<>(role.subList(0, 2 + random.nextInt(role.size() - 1)));
    LiveHandle h = new LiveHandle(handleId(), agent, List.copyOf(scopes), now, now.plus(life));
    live.put(agent, h);
    return lifecycle(EventKind.HANDLE_ISSUED, h, null, now, h.expiresAt);
  }

  private String handleId() {
    return "h_" + run + "_" + Long.toString(seq++, 36);
  }

  private AuthzEvent lifecycle(
      EventKind kind, LiveHandle h, String previous, Instant at, Instant expires) {
    Agent a = h.agent;
    return AuthzEvent.builder()
        .eventId(eventId())
        .kind(kind)
        .occurredAt(at)
        .tenant(a.tenant())
        .reason(
            kind == EventKind.HANDLE_REVOKED
                ? "revoked by " + a.user() + " from the console"
                : null)
        .handle(
            new Handle(
                h.id,
                a.role() + " task",
                h.issuedAt,
                expires,
                h.scopes,
                "https://" + a.gateway() + ".example/handles",
                previous))
        .actor(actor(a))
        .source(new Source(a.gateway(), "w-1", region(a), null))
        .build();
  }

  private AuthzEvent call(
      LiveHandle h, ToolRef t, Instant at, Decision d, String reason, String worker) {
    h.uses++;
    Agent a = h.agent;
    String n = Long.toString(seq++, 36);
    AuthzEvent e =
        AuthzEvent.builder()
            .eventId(eventId())
            .kind(EventKind.DECISION)
            .occurredAt(at)
            .tenant(a.tenant())
            .decision(d)
            .reasonCode(reason)
            .reason(d == Decision.DENY ? denyText(reason, t) : null)
            .handle(new Handle(h.id, null, h.issuedAt, h.expiresAt, null, null, null))
            .actor(actor(a))
            .tool(
                new Tool(
                    t.server(),
                    t.name(),
                    t.method(),
                    t.method().equals("resources/read")
                        ? t.server() + "://" + a.tenant() + "/docs/" + n
                        : null))
            .request(
                new RequestInfo(
                    "req_" + run + "_" + n, "nonce_" + run + "_" + n, traceId(), null, null))
            .source(new Source(a.gateway(), worker, region(a), null))
            .policy(
                new Policy(
                    "mcp-policy-" + a.tenant(),
                    "v" + (3 + a.tenant().length() % 2),
                    "role:" + a.role()))
            .latencyUs((long) (200 + random.nextInt(4000)))
            .attributes(Map.of("mcp.protocol_version", "2025-11-25"))
            .build();
    if (d == Decision.ALLOW) {
      recentDecisions.addLast(e);
      if (recentDecisions.size() > 50) {
        recentDecisions.removeFirst();
      }
    }
    return e;
  }

  private static String denyText(String reason, ToolRef t) {
    return switch (reason) {
      case "POLICY_DENY" -> t.scope() + " is not allowed for agents by policy";
      case "HANDLE_SCOPE_MISMATCH" -> "handle scopes do not include " + t.scope();
      case "RATE_LIMITED" -> "too many calls to " + t.server() + "; retry later";
      case "HANDLE_REVOKED" -> "handle was revoked";
      case "HANDLE_EXPIRED" -> "handle has expired";
      default -> "denied";
    };
  }

  private static Actor actor(Agent a) {
    return new Actor(a.id(), ActorType.AGENT, a.user(), a.client());
  }

  private static String region(Agent a) {
    return a.gateway().contains("-us-") ? "us-east-1" : "eu-west-1";
  }

  private String eventId() {
    return "ev_" + run + "_" + Long.toString(seq++, 36);
  }

  private String traceId() {
    return Long.toHexString(random.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }

  private void schedule(Instant due, Function<Instant, AuthzEvent> make) {
    scheduled.add(new Scheduled(due, seq++, make));
  }

  // --- incidents ----------------------------------------------------------------------------

  private void incident(Instant now) {
    switch (incidentNo++ % 5) {
      case 0 -> revokedUse(now);
      case 1 -> replay(now);
      case 2 -> denyBurst(now);
      case 3 -> inconsistentWorkers(now);
      default -> expiredUse(now);
    }
  }

  private LiveHandle someLiveHandle(Instant now) {
    List<LiveHandle> usable =
        live.values().stream().filter(h -> h.expiresAt.isAfter(now.plusSeconds(30))).toList();
    if (!usable.isEmpty()) {
      return usable.get(random.nextInt(usable.size()));
    }
    Agent a = agents.get(random.nextInt(agents.size()));
    issue(a, now, Duration.ofMinutes(10));
    return live.get(a);
  }

  /** Revoked by a person; a worker with a stale handle cache still lets the agent through. */
  private void revokedUse(Instant now) {
    LiveHandle h = someLiveHandle(now);
    live.remove(h.agent);
    schedule(now, at -> lifecycle(EventKind.HANDLE_REVOKED, h, null, at, h.expiresAt));
    ToolRef t = inScope(h);
    schedule(now.plusMillis(1500), at -> call(h, t, at, Decision.ALLOW, "ALLOWED", "w-" + WORKERS));
  }

  /** A captured request sent again, with its nonce, to another gateway's worker. */
  private void replay(Instant now) {
    AuthzEvent original = recentDecisions.isEmpty() ? null : recentDecisions.peekLast();
    if (original == null) {
      return;
    }
    schedule(
        now.plusMillis(700),
        at ->
            original.toBuilder()
                .eventId(eventId())
                .occurredAt(at)
                .receivedAt(null)
                .source(
                    new Source(
                        otherGateway(original),
                        "w-" + (1 + random.nextInt(WORKERS)),
                        "ap-south-1",
                        null))
                .build());
  }

  private String otherGateway(AuthzEvent e) {
    List<String> gws = GATEWAYS.get(e.tenant());
    return gws.stream()
        .filter(g -> !g.equals(e.source().gateway()))
        .findFirst()
        .orElse(e.source().gateway() + "-dr");
  }

  /** An agent stuck in a loop on a tool its policy forbids. */
  private void denyBurst(Instant now) {
    LiveHandle h = someLiveHandle(now);
    ToolRef forbidden =
        CATALOG.stream()
            .filter(c -> c.scope().equals("aws:terminate_instance"))
            .findFirst()
            .orElseThrow();
    for (int i = 0; i < 25; i++) {
      schedule(
          now.plusMillis(600L * i),
          at -> call(h, forbidden, at, Decision.DENY, "POLICY_DENY", worker(h.agent)));
    }
  }

  /**
   * One worker runs an old policy: it denies what the others allow (the sticky-routing symptom).
   */
  private void inconsistentWorkers(Instant now) {
    LiveHandle h = someLiveHandle(now);
    ToolRef t = inScope(h);
    schedule(now, at -> call(h, t, at, Decision.ALLOW, "ALLOWED", "w-1"));
    schedule(now.plusSeconds(2), at -> call(h, t, at, Decision.DENY, "POLICY_DENY", "w-3"));
  }

  /** A handle that expires within seconds, still honoured by a worker whose clock is off. */
  private void expiredUse(Instant now) {
    Agent a = agents.get(random.nextInt(agents.size()));
    LiveHandle h =
        new LiveHandle(handleId(), a, ROLES.get(a.role()).subList(0, 2), now, now.plusSeconds(2));
    schedule(now, at -> lifecycle(EventKind.HANDLE_ISSUED, h, null, at, h.expiresAt));
    ToolRef t = inScope(h);
    schedule(now.plusSeconds(5), at -> call(h, t, at, Decision.ALLOW, "ALLOWED", "w-2"));
  }

  private static ToolRef inScope(LiveHandle h) {
    String scope = h.scopes.get(0);
    return CATALOG.stream().filter(c -> c.scope().equals(scope)).findFirst().orElseThrow();
  }
}
