package dev.mcpaudit.app.role;

import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.health.Health;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mcp-audit indexer}: Kafka to the Lucene index, exactly once. */
@Command(
    name = "indexer",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the indexer role: reads the decisions topic into a Lucene index under indexer.data-dir.",
      "Resumes from the offsets stored in the index's last commit; records it cannot index go to the",
      "dead-letter topic. /health and /metrics on indexer.port (default 8082). Exits 1 if indexing fails."
    })
public final class IndexerCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(IndexerCommand.class);

  @Mixin ConfigOptions config;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    IndexerConfig cfg;
    try {
      cfg = IndexerConfig.from(config.settings());
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("mcp-audit indexer: " + e.getMessage());
      return 2;
    }
    IndexerService service;
    try {
      service = IndexerService.start(cfg);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("mcp-audit indexer: cannot start: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("mcp-audit-shutdown")
                .unstarted(
                    () -> {
                      log.info("indexer stopping");
                      try {
                        service.close();
                      } catch (Exception e) {
                        log.warn("indexer did not stop cleanly error={}", e.toString());
                      }
                    }));
    service.awaitLoop(); // returns on shutdown, or when indexing failed
    IndexerService.Stop stop = service.stop();
    if (stop == IndexerService.Stop.FAILED) {
      log.error("indexer exiting: {}", ((Health.NotReady) service.health()).reason());
      service.close();
    }
    return stop.exitCode;
  }
}
