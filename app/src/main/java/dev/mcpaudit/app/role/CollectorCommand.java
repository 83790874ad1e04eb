package dev.mcpaudit.app.role;

import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.runtime.config.ConfigException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mcp-audit collector}: the HTTP ingestion role. */
@Command(
    name = "collector",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the HTTP collector role (POST /v1/decisions).",
      "Takes JSON or NDJSON events (gzip allowed) from sources with a bearer token, validates them,",
      "and answers 202 once Kafka acknowledged them; bad events go to the dead-letter topic.",
      "Needs at least one collector.token.<principal>=sha256:<hex> (make one: mcp-audit token new)",
      "with collector.token.<principal>.tenants, the tenants that source may write (or *)."
    })
public final class CollectorCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    CollectorConfig cfg;
    try {
      cfg = CollectorConfig.from(config.settings());
      if (cfg.sourceTokens().isEmpty()) {
        throw new ConfigException(
            "collector.token.<principal>: no source tokens are configured, so no source could publish; "
                + "run `mcp-audit token new --principal my-gateway --tenants acme` and add the lines it prints");
      }
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("mcp-audit collector: " + e.getMessage());
      return 2;
    }
    CollectorServer server;
    try {
      server = CollectorServer.start(cfg);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("mcp-audit collector: " + e.getMessage());
      return 1;
    }
    RoleLifecycle.runUntilStopped("collector", server);
    return 0;
  }
}
