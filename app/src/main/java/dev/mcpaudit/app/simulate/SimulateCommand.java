package dev.mcpaudit.app.simulate;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.http.TrustedCertificates;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mcp-audit simulate}: realistic demo traffic against any collector. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Sends realistic MCP authorization decisions to a collector at a steady rate: gateways and workers,",
      "agents acting for users, handles issued, used, rotated, expiring and revoked, and now and then an",
      "incident the detector alerts on. Prints what it sent every 5 s and a summary at the end;",
      "exits 1 if the collector refused or failed any event."
    })
public final class SimulateCommand implements Callable<Integer> {
  @Option(
      names = "--target",
      required = true,
      paramLabel = "URL",
      description =
          "The collector, e.g. http://127.0.0.1:8080 (the path /v1/decisions is added when missing).")
  URI target;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "A collector source token (default: the environment variable MCP_AUDIT_TOKEN).")
  String token;

  @Option(
      names = "--rate",
      defaultValue = "50",
      paramLabel = "N",
      description = "Events per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--duration",
      defaultValue = "60s",
      paramLabel = "D",
      description = "How long: 30s, 5m, 1h (default ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--incident-every",
      defaultValue = "30s",
      paramLabel = "D",
      description = "One incident this often (default ${DEFAULT-VALUE}).")
  String incidentEvery;

  @Option(
      names = "--connections",
      defaultValue = "4",
      paramLabel = "N",
      description =
          "Batches in flight at once, one HTTP connection each (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--ca-cert",
      paramLabel = "PEM",
      description =
          "Trust the certificates in this PEM file for an https target (a private CA, the quickstart's"
              + " tls/ca.crt); default: the JDK's trusted CAs.")
  Path caCert;

  @Option(names = "--seed", paramLabel = "N", description = "Fixes the traffic (default: random).")
  Long seed;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    String credential = token != null ? token : System.getenv("MCP_AUDIT_TOKEN");
    if (credential == null || credential.isBlank()) {
      err.println("mcp-audit simulate: give a collector token with --token or MCP_AUDIT_TOKEN");
      return 2;
    }
    if (!(rate > 0 && rate <= 1_000_000)) {
      err.println(
          "mcp-audit simulate: --rate must be more than 0 and at most 1000000, got " + rate);
      return 2;
    }
    if (connections < 1 || connections > 256) {
      err.println("mcp-audit simulate: --connections must be 1 to 256, got " + connections);
      return 2;
    }
    javax.net.ssl.SSLContext tls = null;
    if (caCert != null) {
      try {
        tls = TrustedCertificates.trusting(caCert);
      } catch (IllegalArgumentException e) {
        err.println("mcp-audit simulate: --ca-cert: " + e.getMessage());
        return 2;
      }
    }
    Duration length;
    Duration every;
    try {
      length = Settings.parseDuration("--duration", duration);
      every = Settings.parseDuration("--incident-every", incidentEvery);
    } catch (ConfigException e) {
      err.println("mcp-audit simulate: " + e.getMessage());
      return 2;
    }
    Instant now = Instant.now();
    DemoTraffic traffic =
        new DemoTraffic(
            seed != null ? seed : new java.security.SecureRandom().nextLong(),
            DemoTraffic.agentsFor(rate),
            now.plusSeconds(5),
            every);
    Simulator sim =
        new Simulator(
            target, credential, rate, length, traffic, Clock.systemUTC(), connections, tls);
    out.printf("simulating %.0f events/s for %s against %s%n", rate, duration, sim.target());
    out.flush();
    long start = System.nanoTime();
    Thread thread = Thread.ofPlatform().name("mcp-audit-simulate").start(sim);
    Runtime.getRuntime().addShutdownHook(new Thread(sim::stop));
    while (!thread.join(Duration.ofSeconds(5))) {
      print(out, "progress", sim.counts(), start);
    }
    BatchSender.Counts c = print(out, "done", sim.counts(), start);
    if (sim.lastError() != null) {
      out.println("last problem: " + sim.lastError());
    }
    out.flush();
    return c.rejected() == 0 && c.failed() == 0 ? 0 : 1;
  }

  private static BatchSender.Counts print(
      PrintWriter out, String what, BatchSender.Counts c, long start) {
    double secs = (System.nanoTime() - start) / 1e9;
    out.printf(
        "%s: %.0f s, sent %d (%.1f events/s), accepted %d, rejected %d, failed %d%n",
        what,
        secs,
        c.sent(),
        c.sent() / Math.max(secs, 0.001),
        c.accepted(),
        c.rejected(),
        c.failed());
    out.flush();
    return c;
  }
}
