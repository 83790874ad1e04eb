package dev.mcpaudit.testkit;

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
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic, valid decision events for tests: same seed, same events. Varied enough to spread
 * over partitions and exercise every optional field, about 600-800 bytes each as JSON.
 */
public final class SyntheticEvents {
  /**
   * The MCP servers the events name, and their tools (benchmarks write rules and loads for them).
   */
  public static final List<String> SERVERS =
      List.of("github", "slack", "jira", "postgres", "drive", "aws");

  public static final List<String> TOOLS =
      List.of(
          "create_issue",
          "list_repos",
          "post_message",
          "search_issues",
          "run_query",
          "read_file",
          "describe_instances");

  /** The deny reason codes the events carry. */
  public static final List<String> DENY_CODES =
      List.of(
          "POLICY_DENY",
          "HANDLE_EXPIRED",
          "HANDLE_REVOKED",
          "HANDLE_SCOPE_MISMATCH",
          "RATE_LIMITED");

  private final SplittableRandom random;
  private final String runId;
  private final Instant start;
  private final int stepMs;
  private long sequence;

  /** About 100 events per second of event time. */
  public SyntheticEvents(long seed, Instant start) {
    this(seed, start, Duration.ofMillis(10));
  }

  /**
   * @param step event time between one event and the next (each lands at a random point within its
   *     step)
   */
  public SyntheticEvents(long seed, Instant start, Duration step) {
    if (step.toMillis() < 1 || step.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("step must be 1 ms to 24 days: " + step);
    }
    this.random = new SplittableRandom(seed);
    this.runId = Long.toHexString(seed);
    this.start = start;
    this.stepMs = (int) step.toMillis();
  }

  /** The next event; event ids are unique within a generator and across seeds. */
  public AuthzEvent next() {
    long n = sequence++;
    int agent = random.nextInt(200);
    int handleNo = agent * 10 + random.nextInt(10);
    boolean allow = random.nextInt(100) < 85;
    String server = SERVERS.get(random.nextInt(SERVERS.size()));
    String tool = TOOLS.get(random.nextInt(TOOLS.size()));
    Instant at = start.plus(Duration.ofMillis(n * (long) stepMs + random.nextInt(stepMs)));
    Handle handle =
        random.nextInt(20) == 0
            ? null
            : new Handle(
                "h-" + runId + "-" + handleNo,
                "task-" + handleNo,
                at.minusSeconds(600),
                at.plusSeconds(3000),
                List.of(server + ":read", server + ":write"),
                "https://gw.example/handles",
                null);
    return AuthzEvent.builder()
        .eventId("ev-" + runId + "-" + n)
        .kind(EventKind.DECISION)
        .occurredAt(at)
        .tenant("tenant-" + (agent % 3))
        .decision(allow ? Decision.ALLOW : Decision.DENY)
        .reasonCode(allow ? "ALLOWED" : DENY_CODES.get(random.nextInt(DENY_CODES.size())))
        .reason(allow ? null : "denied by policy for " + tool)
        .handle(handle)
        .actor(
            new Actor(
                "spiffe://example.org/agent/a-" + agent,
                ActorType.AGENT,
                "user-" + (agent % 40) + "@example.org",
                "client-" + (agent % 7)))
        .tool(new Tool(server, tool, "tools/call", null))
        .request(
            new RequestInfo(
                "req-" + n,
                "nonce-" + runId + "-" + n,
                Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()),
                Long.toHexString(random.nextLong()),
                null))
        .source(new Source("gw-" + (agent % 3), "w-" + random.nextInt(4), "eu-west-1", null))
        .policy(new Policy("policy-" + server, "v" + (1 + random.nextInt(3)), "rule-" + tool))
        .latencyUs((long) (50 + random.nextInt(2000)))
        .attributes(Map.of("mcp.protocol_version", "2025-11-25"))
        .build();
  }
}
