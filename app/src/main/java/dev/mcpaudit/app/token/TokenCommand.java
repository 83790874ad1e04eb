package dev.mcpaudit.app.token;

import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.schema.validation.SourceScope;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mcp-audit token}: makes credentials the way the services store them (as digests). */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Makes bearer tokens and the digests the configuration stores instead of them.",
    subcommands = {TokenCommand.New.class, TokenCommand.Hash.class})
public final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static final Pattern PRINCIPAL = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$");

  @Command(
      name = "new",
      mixinStandardHelpOptions = true,
      description = {
        "Prints a new random token (256 bits) and the config line that accepts it.",
        "The token is shown once: hand it to the source; the config keeps only its digest."
      })
  static final class New implements Callable<Integer> {
    @Option(
        names = "--principal",
        required = true,
        paramLabel = "NAME",
        description = "Who the token stands for, e.g. gateway-eu-1.")
    String principal;

    @Option(
        names = "--tenants",
        paramLabel = "LIST",
        description =
            "The tenants the token may write (a source) or read (a person): a comma list, or * for every tenant.")
    String tenants;

    @Option(
        names = "--gateways",
        paramLabel = "LIST",
        description = "For a source: the gateways it may name in source.gateway (default: any).")
    String gateways;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (!PRINCIPAL.matcher(principal).matches()) {
        spec.commandLine()
            .getErr()
            .println(
                "--principal: 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit");
        return 2;
      }
      if (tenants != null) {
        try {
          SourceScope.parse(tenants, gateways);
        } catch (IllegalArgumentException e) {
          spec.commandLine().getErr().println("--tenants/--gateways: " + e.getMessage());
          return 2;
        }
      }
      String token = TokenDigest.newToken();
      out.println("token:  " + token);
      String digest = TokenDigest.of(token);
      String indent = "                                  ";
      out.println("config for a source (collector):  collector.token." + principal + "=" + digest);
      out.println(
          tenants == null
              ? indent
                  + "# collector.token."
                  + principal
                  + ".tenants=<the tenants it writes, comma-separated, or *>  (required)"
              : indent + "collector.token." + principal + ".tenants=" + tenants);
      if (gateways != null && !gateways.isBlank()) {
        out.println(indent + "collector.token." + principal + ".gateways=" + gateways);
      }
      out.println("config for a person (api):        api.token." + principal + "=" + digest);
      out.println(indent + "api.token." + principal + ".role=analyst");
      out.println(
          indent + "api.token." + principal + ".tenants=" + (tenants == null ? "*" : tenants));
      return 0;
    }
  }

  @Command(
      name = "hash",
      mixinStandardHelpOptions = true,
      description =
          "Reads a token from stdin (so it stays out of shell history) and prints its sha256: digest.")
  static final class Hash implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      String token =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (token == null || token.isBlank()) {
        spec.commandLine().getErr().println("no token on stdin");
        return 2;
      }
      spec.commandLine().getOut().println(TokenDigest.of(token.strip()));
      return 0;
    }
  }
}
