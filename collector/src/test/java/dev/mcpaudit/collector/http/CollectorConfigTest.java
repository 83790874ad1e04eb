package dev.mcpaudit.collector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorConfigTest {
  @Test
  void defaultsListenOnLoopbackOnly() {
    CollectorConfig c = CollectorConfig.from(Settings.of(Map.of()));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8081);
    assertThat(c.bodyLimitBytes()).isEqualTo(10L << 20);
    assertThat(c.sourceTokens()).isEmpty();
  }

  @Test
  void aPlaintextTokenInTheConfigIsRefused() {
    assertThatThrownBy(() -> CollectorConfig.from(Settings.of(Map.of("collector.token.gw", "mcpa_secret"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("collector.token.gw")
        .hasMessageContaining("never the token itself")
        .hasMessageNotContaining("mcpa_secret");
  }

  @Test
  void tokensMapDigestsToPrincipals() {
    String token = TokenDigest.newToken();
    CollectorConfig c = CollectorConfig.from(Settings.of(Map.of("collector.token.gateway-eu-1", TokenDigest.of(token))));
    assertThat(c.sourceTokens()).containsExactly(Map.entry(TokenDigest.of(token), "gateway-eu-1"));
    assertThat(new SourceTokens(c.sourceTokens()).authenticate("Bearer " + token)).isEqualTo("gateway-eu-1");
  }
}
