package dev.mcpaudit.app.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.app.McpAudit;
import dev.mcpaudit.kafka.stamp.StampKey;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.SharedKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = McpAudit.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void writesAKeyOnlyItsOwnerReadsAndPrintsTheConfigLineNotTheSecret() throws Exception {
    Path file = dir.resolve("roles-1.key");
    Run r = run("keys", "new", "--id", "roles-1", "--out", file.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    StampKey key = StampKey.read(file);
    assertThat(key.id()).isEqualTo("roles-1");
    assertThat(key.scope()).isEqualTo(StampKey.Scope.ROLES);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String secret = Files.readString(file).strip().lines().reduce((a, b) -> b).orElseThrow();
    secret = secret.substring(secret.lastIndexOf(' ') + 1);
    assertThat(r.out())
        .contains("stamp.keys.roles-1=" + file.toAbsolutePath())
        .doesNotContain(secret);

    // The roles read it from the file by its id; a mismatched id is a configuration error.
    assertThat(
            SharedKeys.stamps(Settings.of(Map.of("stamp.keys.roles-1", file.toString())))
                .signingKeyId())
        .contains("roles-1");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SharedKeys.stamps(Settings.of(Map.of("stamp.keys.other", file.toString()))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("holds key roles-1, not other");
  }

  @Test
  void neverOverwritesAKeyAndRefusesBadInput() throws Exception {
    Path file = dir.resolve("k.key");
    assertThat(run("keys", "new", "--id", "k", "--out", file.toString()).exit()).isZero();
    String before = Files.readString(file);
    Run again = run("keys", "new", "--id", "k", "--out", file.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("never overwritten");
    assertThat(Files.readString(file)).isEqualTo(before);

    Run badId =
        run("keys", "new", "--id", "no spaces/allowed", "--out", dir.resolve("x").toString());
    assertThat(badId.exit()).isEqualTo(2);
    assertThat(badId.err()).contains("--id:");
    Run badScope =
        run("keys", "new", "--id", "k2", "--scope", "admin", "--out", dir.resolve("y").toString());
    assertThat(badScope.exit()).isEqualTo(2);
    assertThat(badScope.err()).contains("--scope:");

    Run gateway =
        run(
            "keys",
            "new",
            "--id",
            "gw-eu-1",
            "--scope",
            "publisher",
            "--out",
            dir.resolve("g").toString());
    assertThat(gateway.exit()).isZero();
    assertThat(StampKey.read(dir.resolve("g")).scope()).isEqualTo(StampKey.Scope.PUBLISHER);
  }

  @Test
  void severalRolesKeysNeedTheSigningKeyNamed() throws Exception {
    Path a = dir.resolve("a.key");
    Path b = dir.resolve("b.key");
    run("keys", "new", "--id", "a", "--out", a.toString());
    run("keys", "new", "--id", "b", "--out", b.toString());
    Map<String, String> both = Map.of("stamp.keys.a", a.toString(), "stamp.keys.b", b.toString());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SharedKeys.stamps(Settings.of(both)))
        .hasMessageContaining("several roles keys");
    Map<String, String> chosen = new java.util.HashMap<>(both);
    chosen.put("stamp.signing-key", "b");
    assertThat(SharedKeys.stamps(Settings.of(chosen)).signingKeyId()).contains("b");
    assertThat(SharedKeys.stamps(Settings.of(chosen)).keyIds()).containsExactly("a", "b");
  }
}
