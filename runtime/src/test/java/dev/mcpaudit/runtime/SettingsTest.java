package dev.mcpaudit.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path dir;

  @Test
  void fileThenEnvironmentThenOverrides() throws Exception {
    Path file = dir.resolve("c.properties");
    Files.writeString(
        file, "collector.port=9000\ncollector.body-limit=2MiB\ncollector.token.gw-eu=sha256:x\n");
    Settings s =
        Settings.load(
            file,
            Map.of(
                "MCP_AUDIT_COLLECTOR_PORT",
                "9100",
                "MCP_AUDIT_COLLECTOR_KAFKA_TIMEOUT",
                "3s",
                "HOME",
                "/root"),
            Map.of("collector.port", "9200"));
    assertThat(s.integer("collector.port", 1, 0, 65535)).isEqualTo(9200);
    assertThat(s.bytes("collector.body-limit", 0)).isEqualTo(2L << 20);
    assertThat(s.duration("collector.kafka-timeout", Duration.ZERO))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(s.under("collector.token")).containsExactly(Map.entry("gw-eu", "sha256:x"));
    assertThat(s.string("home", null)).isNull();
  }

  @Test
  void badValuesNameTheKeyAndWhatIsAllowed() {
    Settings s =
        Settings.of(
            Map.of("a.port", "http", "a.size", "ten", "a.wait", "5 minutes", "a.flag", "maybe"));
    assertThatThrownBy(() -> s.integer("a.port", 1, 0, 65535))
        .isInstanceOf(ConfigException.class)
        .hasMessage("a.port: must be a whole number 0-65535, got 'http'");
    assertThatThrownBy(() -> s.bytes("a.size", 0))
        .hasMessageStartingWith("a.size: must be a size like");
    assertThatThrownBy(() -> s.duration("a.wait", Duration.ZERO))
        .hasMessageStartingWith("a.wait: must be a duration");
    assertThatThrownBy(() -> s.bool("a.flag", false))
        .hasMessage("a.flag: must be true or false, got 'maybe'");
    assertThatThrownBy(() -> s.required("kafka.bootstrap-servers"))
        .hasMessageContaining("MCP_AUDIT_KAFKA_BOOTSTRAP_SERVERS");
  }
}
