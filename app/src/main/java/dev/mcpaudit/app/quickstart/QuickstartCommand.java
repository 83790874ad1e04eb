package dev.mcpaudit.app.quickstart;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mcp-audit quickstart}: everything in one process, with demo traffic, on localhost. */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Starts an embedded Kafka broker and every role (collector, indexer, detector, API, UI) in one process.",
      "One port serves the UI (/), the API (/api/v1) and the collector (/v1/decisions), on 127.0.0.1 only.",
      "Tokens are written to <data-dir>/quickstart-tokens.json; restarting with the same data dir keeps",
      "the data and the tokens. Demo traffic (with an incident now and then) runs unless --no-demo. Ctrl-C stops."
    })
public final class QuickstartCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(QuickstartCommand.class);

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "HTTP port for UI, API and collector (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--kafka-port",
      defaultValue = "9092",
      description =
          "Embedded Kafka's port (default ${DEFAULT-VALUE}); its controller takes the next one.")
  int kafkaPort;

  @Option(
      names = "--data-dir",
      defaultValue = "./data",
      description = "Where everything is kept (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--tls",
      description =
          "Serve HTTPS with a certificate for localhost from a development CA made in <data-dir>/tls"
              + " (trust tls/ca.crt, or accept it once in the browser).")
  boolean tls;

  @Option(
      names = "--kafka-sasl",
      description =
          "Run the embedded Kafka as a managed one: only a SASL_SSL (SCRAM-SHA-512) listener with a"
              + " development CA, one user per role (kept in <data-dir>/kafka-users.properties),"
              + " every role configured through kafka.client.*. Needs a new --data-dir.")
  boolean kafkaSasl;

  @Option(names = "--no-demo", description = "Start without demo traffic.")
  boolean noDemo;

  @Option(
      names = "--demo-rate",
      defaultValue = "40",
      description = "Demo events per second (default ${DEFAULT-VALUE}).")
  double demoRate;

  @Option(
      names = "--incident-every",
      defaultValue = "45s",
      description = "One demo incident this often (default ${DEFAULT-VALUE}).")
  String incidentEvery;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration every;
    try {
      every = dev.mcpaudit.runtime.config.Settings.parseDuration("--incident-every", incidentEvery);
    } catch (dev.mcpaudit.runtime.config.ConfigException e) {
      err.println("mcp-audit quickstart: " + e.getMessage());
      return 2;
    }
    long t0 = System.nanoTime();
    Quickstart qs;
    try {
      qs =
          Quickstart.start(
              new Quickstart.Options(
                  port, kafkaPort, dataDir, !noDemo, demoRate, every, tls, kafkaSasl));
    } catch (Quickstart.StartException e) {
      err.println("mcp-audit quickstart: " + e.getMessage());
      return 1;
    }
    String base = qs.baseUri();
    Path tokens = dataDir.toAbsolutePath().normalize().resolve(QuickstartTokens.FILE);
    out.printf("%nmcp-audit quickstart is up in %.1f s.%n%n", (System.nanoTime() - t0) / 1e9);
    out.println("  Open (signs you in as analyst):  " + base + "/#token=" + qs.tokens().analyst());
    out.println("  Tokens (collector, analyst, auditor, admin): " + tokens);
    out.println(
        "  API:       " + base + "/api/v1/decisions   (Authorization: Bearer <analyst token>)");
    out.println(
        "  Collector: "
            + base
            + "/v1/decisions       (Authorization: Bearer <collector token>; tenants "
            + String.join(", ", QuickstartTokens.COLLECTOR_TENANTS)
            + ")");
    out.println("  Health:    " + base + "/health/ready   Metrics: " + base + "/metrics");
    if (qs.caCertificate() != null) {
      out.println(
          "  HTTPS:     certificate from the development CA "
              + qs.caCertificate()
              + " (curl --cacert, simulate --ca-cert)");
    }
    out.println(
        noDemo
            ? "  Demo traffic: off (--no-demo)"
            : "  Demo traffic: "
                + (int) demoRate
                + " events/s, an incident every "
                + incidentEvery);
    out.println();
    out.println("Ctrl-C stops; start again with the same --data-dir to keep everything.");
    out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("mcp-audit-shutdown")
                .unstarted(
                    () -> {
                      log.info("quickstart stopping");
                      qs.close();
                      stopped.countDown();
                    }));
    stopped.await();
    return 0;
  }
}
