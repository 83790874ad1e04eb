package dev.mcpaudit.app.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.evidence.Bundle;
import dev.mcpaudit.schema.evidence.BundleCheck;
import dev.mcpaudit.schema.evidence.EvidenceCheck;
import dev.mcpaudit.schema.evidence.KeySet;
import dev.mcpaudit.schema.evidence.Verdict;
import dev.mcpaudit.schema.evidence.VerifierKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mcp-audit verify}: checks evidence offline, with nothing but the files and the public keys
 * (README, "Verifiable evidence"). Exit 0 verified, 1 tampered (the message names what and why), 2
 * unverifiable (an unknown key, a missing proof, a file that cannot be read).
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Checks evidence offline: an evidence bundle (verify BUNDLE), one record's proof or the"
            + " consistency of two checkpoints. Exit 0 verified, 1 tampered (says what and why), 2"
            + " unverifiable (unknown key, missing proof, unreadable file).",
    subcommands = {VerifyCommand.Proof.class, VerifyCommand.Consistency.class})
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "BUNDLE",
      description = "An evidence bundle (GET /api/v1/evidence/export).")
  Path bundle;

  @Option(
      names = "--keys",
      paramLabel = "FILE",
      description =
          "The public keys (a .pub file of mcp-audit keys new, several lines, or the answer of GET"
              + " /api/v1/evidence/keys). Without it the keys the bundle carries are used, which"
              + " shows the bundle is intact, not who made it.")
  Path keys;

  @Option(names = "--json", description = "One JSON object on standard output, for machines.")
  boolean json;

  @Override
  public Integer call() {
    if (bundle == null) {
      spec.commandLine().usage(spec.commandLine().getOut());
      return 0;
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    BundleCheck.Report r;
    boolean ownKeys = keys == null;
    try {
      List<VerifierKey> k =
          ownKeys ? BundleCheck.carriedKeys(bundle) : KeySet.parse(Files.readString(keys));
      r = BundleCheck.check(bundle, k);
    } catch (IOException e) {
      r = failed("cannot read " + e.getMessage());
    } catch (IllegalArgumentException e) {
      r =
          failed(
              (ownKeys ? bundle + " (" + Bundle.KEYS + ")" : "--keys " + keys)
                  + ": "
                  + e.getMessage());
    }
    String caution =
        "the keys were taken from the bundle itself: this shows it is intact and consistent, not"
            + " who made it; compare the key ids with your own or pass --keys";
    Verdict v = r.verdict();
    if (json) {
      ObjectNode o = json(v);
      o.put("kind", r.kind());
      o.put("records", r.records());
      o.put("keys_from_bundle", ownKeys);
      r.lines().forEach(o.withArray("lines")::add);
      out.println(o.toString());
    } else if (v.exit() == Verdict.VERIFIED) {
      r.lines().forEach(out::println);
      if (ownKeys) {
        err.println("note: " + caution);
      }
    } else {
      err.println(v.outcome() + ": " + v.message());
    }
    out.flush();
    err.flush();
    return v.exit();
  }

  /** A verdict for machines: outcome, exit, message, key_id. */
  static ObjectNode json(Verdict v) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("outcome", v.outcome());
    o.put("exit", v.exit());
    o.put("message", v.message());
    o.put("key_id", v.keyId());
    return o;
  }

  private static BundleCheck.Report failed(String message) {
    return new BundleCheck.Report(
        new Verdict(Verdict.UNVERIFIABLE, message, null), List.of(), 0, null);
  }

  /** Options both checks take. */
  abstract static class Check implements Callable<Integer> {
    @Option(
        names = "--keys",
        required = true,
        paramLabel = "FILE",
        description =
            "The public keys: a .pub file of mcp-audit keys new, or the answer of GET"
                + " /api/v1/evidence/keys.")
    Path keys;

    @Option(names = "--json", description = "One JSON object on standard output, for machines.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Verdict v;
      try {
        List<VerifierKey> k = KeySet.parse(Files.readString(keys));
        v = check(k);
      } catch (Unreadable e) {
        v = new Verdict(Verdict.UNVERIFIABLE, e.getMessage(), null);
      } catch (IOException e) {
        v = new Verdict(Verdict.UNVERIFIABLE, "cannot read " + e.getMessage(), null);
      } catch (IllegalArgumentException e) {
        v = new Verdict(Verdict.UNVERIFIABLE, "--keys " + keys + ": " + e.getMessage(), null);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(VerifyCommand.json(v).toString());
      } else if (v.exit() == Verdict.VERIFIED) {
        out.println(v.message());
      } else {
        spec.commandLine().getErr().println(v.outcome() + ": " + v.message());
      }
      out.flush();
      return v.exit();
    }

    abstract Verdict check(List<VerifierKey> keys) throws IOException;

    static JsonNode json(Path file) throws IOException {
      try {
        return new ObjectMapper().readTree(Files.readString(file));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new Unreadable(file + " is not JSON: " + e.getOriginalMessage());
      }
    }

    /**
     * A signed checkpoint from a file: the note itself, or a JSON answer holding one ({@code
     * checkpoint}, {@code note}, {@code to_checkpoint}, or {@code latest.note}).
     */
    static String checkpoint(Path file) throws IOException {
      String text = Files.readString(file);
      if (!text.stripLeading().startsWith("{")) {
        return text;
      }
      JsonNode j = json(file);
      for (String field : List.of("checkpoint", "note", "to_checkpoint")) {
        if (j.path(field).isTextual()) {
          return j.path(field).asText();
        }
      }
      if (j.path("latest").path("note").isTextual()) {
        return j.path("latest").path("note").asText();
      }
      throw new Unreadable(file + " holds no signed checkpoint");
    }
  }

  /** A file that does not hold what it should: unverifiable, not tampered. */
  static final class Unreadable extends RuntimeException {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  @Command(
      name = "proof",
      mixinStandardHelpOptions = true,
      description =
          "Checks a record's proof (the answer of GET /api/v1/evidence/proof/{event_id}): the"
              + " record hashes to its leaf, the leaf is in the tree the checkpoint signs, the"
              + " signature is one of the keys'.")
  static final class Proof extends Check {
    @Parameters(index = "0", paramLabel = "FILE", description = "The proof file.")
    Path file;

    @Override
    Verdict check(List<VerifierKey> keys) throws IOException {
      return EvidenceCheck.proof(json(file), keys);
    }
  }

  @Command(
      name = "consistency",
      mixinStandardHelpOptions = true,
      description =
          "Checks that the checkpoint in NEW extends the one in OLD: same log, only appended. Each"
              + " file is a signed checkpoint or an API answer holding one; the proof comes from"
              + " --proof, or from NEW when it is the answer of GET /api/v1/evidence/consistency.")
  static final class Consistency extends Check {
    @Parameters(index = "0", paramLabel = "OLD", description = "The older checkpoint.")
    Path older;

    @Parameters(index = "1", paramLabel = "NEW", description = "The newer checkpoint.")
    Path newer;

    @Option(
        names = "--proof",
        paramLabel = "FILE",
        description = "The answer of GET /api/v1/evidence/consistency between the two sizes.")
    Path proof;

    @Override
    Verdict check(List<VerifierKey> keys) throws IOException {
      JsonNode p = null;
      if (proof != null) {
        p = json(proof);
      } else if (Files.readString(newer).stripLeading().startsWith("{")) {
        JsonNode n = json(newer);
        if (n.has("proof")) {
          p = n;
        }
      }
      if (p != null && !EvidenceCheck.CONSISTENCY_FORMAT.equals(p.path("format").textValue())) {
        throw new Unreadable("the proof is not a consistency answer");
      }
      return EvidenceCheck.consistency(checkpoint(older), checkpoint(newer), p, keys);
    }
  }
}
