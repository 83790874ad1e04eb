package dev.mcpaudit.bench;

import dev.mcpaudit.app.simulate.DemoTraffic;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.schema.event.Policy;
import dev.mcpaudit.schema.event.RequestInfo;
import dev.mcpaudit.schema.event.Source;
import dev.mcpaudit.schema.event.Tool;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pre-encoded NDJSON batches for a load generator that must outrun the pipeline: encoding events
 * costs more than the collector's parsing, so a generator that encodes cannot offer more than a
 * stage accepts on the same cores. Each template is encoded once; a send copies it and writes a
 * fresh event id and nonce (fixed-width hex) and the current time into known positions, so every
 * event is unique and current. The traffic is what a healthy fleet sends: a handle is always served
 * by the same worker and a (handle, tool) pair always gets the same decision, so the detector
 * judges all of it without the load itself raising alerts beyond a few deny bursts.
 */
final class LoadTemplates {
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final String TIME_MARK = "2001-01-01T00:00:00.111Z";
  private static final List<String> SERVERS = dev.mcpaudit.testkit.SyntheticEvents.SERVERS;
  private static final List<String> TOOLS = dev.mcpaudit.testkit.SyntheticEvents.TOOLS;

  private record Template(byte[] body, int[] ids, int[] times) {}

  final int batchSize;
  private final List<Template> templates = new ArrayList<>();
  private final AtomicLong nextId = new AtomicLong();
  private final AtomicLong nextTemplate = new AtomicLong();
  private final String run;

  /** {@code count} templates of {@code batchSize} events over 2,000 agents and 4,000 handles. */
  LoadTemplates(int count, int batchSize, Instant now) {
    this.batchSize = batchSize;
    this.run = Long.toHexString(now.toEpochMilli() & 0xffffffffL);
    SplittableRandom random = new SplittableRandom(19);
    for (int t = 0; t < count; t++) {
      ByteArrayOutputStream body = new ByteArrayOutputStream(batchSize * 900);
      for (int i = 0; i < batchSize; i++) {
        body.writeBytes(EventCodec.encode(event(random, now, t * batchSize + i)));
        body.write('\n');
      }
      byte[] b = body.toByteArray();
      templates.add(
          new Template(
              b,
              positions(b, ("-" + run + "-").getBytes(StandardCharsets.US_ASCII), 2 * batchSize),
              positions(b, TIME_MARK.getBytes(StandardCharsets.US_ASCII), batchSize)));
    }
  }

  /** Bytes of JSON per event on average. */
  double bytesPerEvent() {
    return templates.stream().mapToLong(t -> t.body().length).sum()
        / (double) (templates.size() * batchSize);
  }

  /**
   * The next batch: a copy of the next template with unique ids and nonces, occurred at {@code at}.
   */
  byte[] next(Instant at) {
    Template t = templates.get((int) (nextTemplate.getAndIncrement() % templates.size()));
    byte[] b = t.body().clone();
    long id = nextId.getAndAdd(batchSize);
    for (int i = 0; i < t.ids().length; i++) {
      // event_id and nonce of one event take the same number: both are unique, and one counter
      // serves.
      hex(b, t.ids()[i], id + i / 2);
    }
    byte[] time = MILLIS.format(at).getBytes(StandardCharsets.US_ASCII);
    for (int p : t.times()) {
      System.arraycopy(time, 0, b, p, time.length);
    }
    return b;
  }

  private AuthzEvent event(SplittableRandom random, Instant now, int n) {
    int agent = random.nextInt(2_000);
    int handleNo = agent * 2 + random.nextInt(2);
    int server = random.nextInt(SERVERS.size());
    int tool = random.nextInt(TOOLS.size());
    boolean allow = Math.floorMod((handleNo * 31 + server) * 31 + tool, 100) >= 3;
    String h = "h-load-" + handleNo;
    Instant mark = Instant.parse(TIME_MARK);
    return AuthzEvent.builder()
        .eventId("ev-" + run + "-000000000000")
        .kind(EventKind.DECISION)
        .occurredAt(mark)
        // The quickstart's tenants: its collector token may write those only.
        .tenant(DemoTraffic.TENANTS.get(agent % DemoTraffic.TENANTS.size()))
        .decision(allow ? Decision.ALLOW : Decision.DENY)
        .reasonCode(allow ? "ALLOWED" : "POLICY_DENY")
        .reason(allow ? null : "denied by policy for " + TOOLS.get(tool))
        .handle(
            new Handle(
                h,
                "task-" + handleNo,
                now.minus(Duration.ofMinutes(10)),
                now.plus(Duration.ofDays(1)),
                List.of(SERVERS.get(server) + ":read", SERVERS.get(server) + ":write"),
                "https://gw.example/handles",
                null))
        .actor(
            new Actor(
                "spiffe://example.org/agent/a-" + agent,
                ActorType.AGENT,
                "user-" + (agent % 40) + "@example.org",
                "client-" + (agent % 7)))
        .tool(new Tool(SERVERS.get(server), TOOLS.get(tool), "tools/call", null))
        .request(
            new RequestInfo(
                "req-" + n,
                "nc-" + run + "-000000000000",
                Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()),
                Long.toHexString(random.nextLong()),
                null))
        .source(new Source("gw-" + (agent % 3), "w-" + (handleNo % 4), "eu-west-1", null))
        .policy(
            new Policy(
                "policy-" + SERVERS.get(server),
                "v" + (1 + random.nextInt(3)),
                "rule-" + TOOLS.get(tool)))
        .latencyUs((long) (50 + random.nextInt(2000)))
        .attributes(Map.of("mcp.protocol_version", "2025-11-25"))
        .build();
  }

  /**
   * Where the 12 digits after each occurrence of {@code mark} start (ids) or where {@code mark}
   * starts (times).
   */
  private static int[] positions(byte[] b, byte[] mark, int expected) {
    int[] at = new int[expected];
    int found = 0;
    boolean digitsAfter = mark[0] == '-';
    for (int i = 0; i + mark.length <= b.length; i++) {
      if (matches(b, i, mark)) {
        if (found == expected) {
          throw new IllegalStateException("more than " + expected + " marks in a template");
        }
        at[found++] = digitsAfter ? i + mark.length : i;
        i += mark.length - 1;
      }
    }
    if (found != expected) {
      throw new IllegalStateException(
          "expected " + expected + " marks in a template, found " + found);
    }
    return at;
  }

  private static boolean matches(byte[] b, int i, byte[] mark) {
    for (int k = 0; k < mark.length; k++) {
      if (b[i + k] != mark[k]) {
        return false;
      }
    }
    return true;
  }

  private static void hex(byte[] b, int at, long v) {
    for (int k = 11; k >= 0; k--) {
      b[at + k] = (byte) Character.forDigit((int) (v & 0xf), 16);
      v >>>= 4;
    }
  }
}
