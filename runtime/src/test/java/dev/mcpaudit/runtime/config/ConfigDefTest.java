package dev.mcpaudit.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDefTest {
  static final ConfigKey<Duration> REFRESH =
      ConfigKey.duration("indexer.refresh-interval", Duration.ofMillis(200), "how often");
  static final ConfigKey<Integer> THREADS =
      ConfigKey.integer("indexer.threads", 2, 1, 64, "threads");
  static final ConfigDef DEF =
      ConfigDef.of("indexer", List.of("indexer."), List.of(REFRESH, THREADS), "indexer.token.");

  @Test
  void aMisspeltKeyStopsTheRoleWithTheKeyItMeant() {
    assertThatThrownBy(() -> DEF.check(Settings.of(Map.of("indexer.refesh-interval", "1s"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "unknown key indexer.refesh-interval (did you mean indexer.refresh-interval?)");
    // From the environment the key arrives lower-cased with underscores, and is judged the same.
    assertThatThrownBy(
            () -> DEF.check(Settings.load(null, Map.of("MCP_AUDIT_INDEXER_THREDS", "4"), Map.of())))
        .hasMessageStartingWith("unknown key indexer_threds (did you mean indexer.threads?)");
    // A shared key misspelt is caught by every role.
    assertThatThrownBy(() -> DEF.check(Settings.of(Map.of("kafka.bootstrap-server", "k:9092"))))
        .hasMessageStartingWith(
            "unknown key kafka.bootstrap-server (did you mean kafka.bootstrap-servers?)");
    assertThatThrownBy(() -> DEF.check(Settings.of(Map.of("indexer.something-else-entirely", "x"))))
        .hasMessageStartingWith(
            "unknown key indexer.something-else-entirely; the indexer role knows");
  }

  @Test
  void declaredKeysFamiliesAndOtherRolesKeysPass() {
    assertThatCode(
            () ->
                DEF.check(
                    Settings.of(
                        Map.of(
                            "indexer.refresh-interval",
                            "1s",
                            "INDEXER_THREADS",
                            "3",
                            "indexer.token.alice.role",
                            "x",
                            "api.query-timeout",
                            "5s",
                            "kafka.bootstrap-servers",
                            "k:9092",
                            "bench.only",
                            "x"))))
        .doesNotThrowAnyException();
    // The family needs a name after its prefix.
    assertThatThrownBy(() -> DEF.check(Settings.of(Map.of("indexer.token.", "x"))))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void aKeyReadsItsDefaultOnceAndChecksItsValue() {
    assertThat(REFRESH.from(Settings.of(Map.of()))).isEqualTo(Duration.ofMillis(200));
    assertThat(REFRESH.defaultText()).isEqualTo("200ms");
    assertThat(ConfigKey.duration("x.y", Duration.ofDays(30), "").defaultText()).isEqualTo("30d");
    assertThat(ConfigKey.bytes("x.y", 10L << 20, "").defaultText()).isEqualTo("10MiB");
    assertThatThrownBy(() -> THREADS.from(Settings.of(Map.of("indexer.threads", "99"))))
        .hasMessage("indexer.threads: must be 1-64, got 99");
    assertThatThrownBy(
            () ->
                SharedKeys.MAX_FUTURE_SKEW.from(
                    Settings.of(Map.of("validation.max-future-skew", "2d"))))
        .hasMessageStartingWith("validation.max-future-skew: at most 24h");
  }
}
