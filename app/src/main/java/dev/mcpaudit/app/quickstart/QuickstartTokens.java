package dev.mcpaudit.app.quickstart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.app.simulate.DemoTraffic;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The quickstart's four tokens, in {@code <data-dir>/quickstart-tokens.json} (README,
 * "Quickstart"). Made once per data dir and reused on restart, so a sign-in link stays valid; the
 * file is readable by its owner only. The services keep only digests; the tokens themselves live in
 * this file alone.
 */
public record QuickstartTokens(String collector, String analyst, String auditor, String admin) {
  public static final String FILE = "quickstart-tokens.json";

  /** The collector token writes the demo fleet's tenants and no other. */
  public static final List<String> COLLECTOR_TENANTS = DemoTraffic.TENANTS;

  public static QuickstartTokens loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      JsonNode n = EventCodec.mapper().readTree(file.toFile());
      QuickstartTokens t =
          new QuickstartTokens(
              n.path("collector").asText(""),
              n.path("analyst").asText(""),
              n.path("auditor").asText(""),
              n.path("admin").asText(""));
      if (!t.collector.isEmpty()
          && !t.analyst.isEmpty()
          && !t.auditor.isEmpty()
          && !t.admin.isEmpty()) {
        return t;
      }
    }
    QuickstartTokens t =
        new QuickstartTokens(
            TokenDigest.newToken(),
            TokenDigest.newToken(),
            TokenDigest.newToken(),
            TokenDigest.newToken());
    ObjectNode json =
        EventCodec.mapper()
            .createObjectNode()
            .put("collector", t.collector)
            .put("analyst", t.analyst)
            .put("auditor", t.auditor)
            .put("admin", t.admin);
    json.putArray("collector_tenants")
        .addAll(COLLECTOR_TENANTS.stream().map(json::textNode).toList());
    Path tmp = dataDir.resolve(FILE + ".tmp");
    Files.write(tmp, EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system (Windows): the directory's permissions apply
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return t;
  }
}
