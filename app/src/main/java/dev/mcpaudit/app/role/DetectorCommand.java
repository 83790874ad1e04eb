package dev.mcpaudit.app.role;

import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.runtime.config.ConfigException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mcp-audit detector}: the Kafka Streams alerting role. */
@Command(
    name = "detector",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the detector role: a Kafka Streams application (exactly-once) over the decisions topic that",
      "writes REPLAY, REVOKED_HANDLE_USE, EXPIRED_HANDLE_USE, DENY_BURST, INCONSISTENT_DECISION and FUTURE_TIMESTAMP alerts",
      "to the alerts topic and, if detector.webhook.urls is set, POSTs them there.",
      "State under detector.state-dir; /health and /metrics on detector.port (default 8083)."
    })
public final class DetectorCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    DetectorConfig cfg;
    try {
      cfg = DetectorConfig.from(config.settings());
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("mcp-audit detector: " + e.getMessage());
      return 2;
    }
    DetectorService service;
    try {
      service = DetectorService.start(cfg);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("mcp-audit detector: cannot start: " + e.getMessage());
      return 1;
    }
    RoleLifecycle.runUntilStopped("detector", service);
    return 0;
  }
}
