package dev.mcpaudit.app.keys;

import dev.mcpaudit.kafka.stamp.StampKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mcp-audit keys}: makes the keys that stamp records (docs/provenance.md). */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description =
        "Makes stamp keys (the proof of which writer produced a Kafka record) and evidence keys"
            + " (the signature on the evidence log's checkpoints).",
    subcommands = {KeysCommand.New.class})
public final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "new",
      mixinStandardHelpOptions = true,
      description = {
        "Writes a new random stamp key (256 bits) to a file readable by its owner only, and prints"
            + " the config line that uses it. The key itself is never printed.",
        "--scope roles: for mcp-audit's own roles (collector, api, detector, indexer).",
        "--scope publisher: for one gateway's DecisionPublisher; its records are stored as"
            + " provenance publisher with the key's id.",
        "--scope evidence: an Ed25519 key pair the indexer signs checkpoints with; the public key"
            + " goes to <out>.pub, for the API and for auditors."
      })
  static final class New implements Callable<Integer> {
    @Option(
        names = "--id",
        required = true,
        paramLabel = "ID",
        description = "The key's id, named in every stamp: e.g. roles-2026-12 or gw-eu-1.")
    String id;

    @Option(
        names = "--scope",
        defaultValue = "roles",
        paramLabel = "roles|publisher|evidence",
        description = "What the key may vouch for (default: ${DEFAULT-VALUE}).")
    String scope;

    @Option(
        names = "--out",
        required = true,
        paramLabel = "FILE",
        description = "Where to write the key; an existing file is never overwritten.")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      if ("evidence".equals(scope)) {
        return evidence(err);
      }
      StampKey key;
      try {
        key = StampKey.generate(id, StampKey.Scope.parse(scope));
      } catch (IllegalArgumentException e) {
        err.println((e.getMessage().startsWith("scope") ? "--scope: " : "--id: ") + e.getMessage());
        return 2;
      }
      try {
        StampKeyFiles.write(out, key);
      } catch (IOException e) {
        err.println("--out: cannot write " + out + ": " + e.getMessage());
        return 1;
      }
      PrintWriter o = spec.commandLine().getOut();
      o.println("wrote " + key + " to " + out.toAbsolutePath());
      o.println();
      o.println(
          "Give the file to the roles that verify stamps (indexer, detector) and to its writer:");
      o.println("  stamp.keys." + key.id() + "=" + out.toAbsolutePath());
      if (key.scope() == StampKey.Scope.PUBLISHER) {
        o.println("The gateway's publisher reads it with StampKey.read(path) into");
        o.println("DecisionPublisher.builder().stampKey(...).");
      }
      return 0;
    }

    private int evidence(PrintWriter err) {
      dev.mcpaudit.schema.evidence.SigningKey key;
      try {
        key = dev.mcpaudit.schema.evidence.SigningKey.generate(id);
      } catch (IllegalArgumentException e) {
        err.println("--id: " + e.getMessage());
        return 2;
      }
      Path pub;
      try {
        pub = StampKeyFiles.writeEvidenceKey(out, key);
      } catch (IOException e) {
        err.println("--out: cannot write " + out + ": " + e.getMessage());
        return 1;
      }
      PrintWriter o = spec.commandLine().getOut();
      o.println("wrote evidence key " + key.verifier().id() + " to " + out.toAbsolutePath());
      o.println("and its public key to " + pub.toAbsolutePath());
      o.println();
      o.println("The indexer signs checkpoints with it:");
      o.println("  evidence.enabled=true");
      o.println("  evidence.signing-key=" + out.toAbsolutePath());
      o.println(
          "The API serves the public key (add the new line, keep the old ones, when rotating):");
      o.println("  api.evidence-keys=" + pub.toAbsolutePath());
      o.println("Auditors verify with it: mcp-audit verify proof FILE --keys " + pub.getFileName());
      return 0;
    }
  }
}
