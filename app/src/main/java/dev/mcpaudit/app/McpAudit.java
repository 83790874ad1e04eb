package dev.mcpaudit.app;

import dev.mcpaudit.app.keys.KeysCommand;
import dev.mcpaudit.app.quickstart.QuickstartCommand;
import dev.mcpaudit.app.role.ApiCommand;
import dev.mcpaudit.app.role.CollectorCommand;
import dev.mcpaudit.app.role.DetectorCommand;
import dev.mcpaudit.app.role.IndexerCommand;
import dev.mcpaudit.app.simulate.SimulateCommand;
import dev.mcpaudit.app.token.TokenCommand;
import dev.mcpaudit.app.validate.ValidateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mcp-audit} launcher: one jar, one subcommand per role. This is the only place that
 * calls {@code System.exit}; every command returns its exit code.
 */
@Command(
    name = "mcp-audit",
    mixinStandardHelpOptions = true,
    versionProvider = McpAudit.Version.class,
    description =
        "Collects, indexes and investigates the authorization decisions of MCP servers and gateways.",
    subcommands = {
      CollectorCommand.class,
      IndexerCommand.class,
      DetectorCommand.class,
      QuickstartCommand.class,
      SimulateCommand.class,
      ApiCommand.class,
      ValidateCommand.class,
      TokenCommand.class,
      KeysCommand.class,
      dev.mcpaudit.app.verify.VerifyCommand.class,
      CommandLine.HelpCommand.class
    })
public final class McpAudit implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (for tests and {@link #main}). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** Runs a command line with its output captured (tests). */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    return commandLine().setOut(out).setErr(err).execute(args);
  }

  private static CommandLine commandLine() {
    return new CommandLine(new McpAudit()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    // No subcommand: show what there is rather than doing something surprising.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = McpAudit.class.getPackage().getImplementationVersion();
      return new String[] {
        "mcp-audit " + (v == null ? "(development build)" : v) + ", event contract mcp.authz/v1"
      };
    }
  }
}
