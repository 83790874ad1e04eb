package dev.mcpaudit.app.role;

import dev.mcpaudit.runtime.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --config FILE} and {@code --set key=value}, shared by every role command. */
public final class ConfigOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Properties file with settings (see config/mcp-audit.example.properties). "
              + "Every key can also come from an environment variable: collector.port is MCP_AUDIT_COLLECTOR_PORT.")
  Path file;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one setting (repeatable); wins over file and environment.")
  Map<String, String> overrides = new LinkedHashMap<>();

  public Settings settings() {
    return Settings.load(file, System.getenv(), overrides);
  }
}
