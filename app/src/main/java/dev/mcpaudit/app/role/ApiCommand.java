package dev.mcpaudit.app.role;

import dev.mcpaudit.queryapi.ApiConfig;
import dev.mcpaudit.queryapi.ApiServer;
import dev.mcpaudit.runtime.config.ConfigException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code mcp-audit api}: the query API over a committed index directory. */
@Command(
    name = "api",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the query API (/api/v1) and the web UI (/) over the index in api.index-dir, reopened as the",
      "indexer commits.",
      "Every request needs a bearer token configured as api.token.<name>=sha256:<hex> with",
      "api.token.<name>.role (analyst, auditor, admin) and api.token.<name>.tenants (list or *)."
    })
public final class ApiCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ApiConfig cfg;
    try {
      cfg = ApiConfig.from(config.settings());
      if (!cfg.auth().hasAnyCredential()) {
        throw new ConfigException(
            "api.token.<name>: no tokens are configured, so no request could be authorized; "
                + "run `mcp-audit token new --principal alice` and add api.token.alice=<digest>, .role and .tenants, "
                + "or configure api.oidc.*");
      }
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("mcp-audit api: " + e.getMessage());
      return 2;
    }
    ApiServer server;
    try {
      server = ApiServer.start(cfg, dev.mcpaudit.web.WebUi::install);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("mcp-audit api: cannot start: " + e.getMessage());
      return 1;
    }
    RoleLifecycle.runUntilStopped("api", server);
    return 0;
  }
}
