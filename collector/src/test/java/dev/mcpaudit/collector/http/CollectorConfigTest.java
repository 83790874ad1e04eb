package dev.mcpaudit.collector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorConfigTest {
  static final String TOKEN = TokenDigest.newToken();
  static final String DIGEST = TokenDigest.of(TOKEN);

  static CollectorConfig config(Map<String, String> s) {
    return CollectorConfig.from(Settings.of(s));
  }

  @Test
  void defaultsListenOnLoopbackOnly() {
    CollectorConfig c = config(Map.of());
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8081);
    assertThat(c.bodyLimitBytes()).isEqualTo(10L << 20);
    assertThat(c.maxFutureSkew()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.sourceTokens()).isEmpty();
  }

  @Test
  void aPlaintextTokenInTheConfigIsRefused() {
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "collector.token.gw", "mcpa_secret", "collector.token.gw.tenants", "acme")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("collector.token.gw")
        .hasMessageContaining("never the token itself")
        .hasMessageNotContaining("mcpa_secret");
  }

  @Test
  void tokensMapDigestsToPrincipalsAndTheirScope() {
    CollectorConfig c =
        config(
            Map.of(
                "collector.token.gateway-eu-1", DIGEST,
                "collector.token.gateway-eu-1.tenants", "acme, globex",
                "collector.token.gateway-eu-1.gateways", "gw-eu-1"));
    SourceGrant grant = new SourceTokens(c.sourceTokens()).authenticate("Bearer " + TOKEN);
    assertThat(grant.principal()).isEqualTo("gateway-eu-1");
    assertThat(grant.scope()).hasToString("tenants acme, globex; gateways gw-eu-1");
  }

  @Test
  void everySourceTokenNeedsItsTenants() {
    assertThatThrownBy(() -> config(Map.of("collector.token.gateway-eu-1", DIGEST)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("collector.token.gateway-eu-1.tenants: is required");
    assertThatThrownBy(
            () -> config(Map.of("collector.token.gw", DIGEST, "collector.token.gw.tenants", " ")))
        .hasMessageStartingWith("collector.token.gw.tenants: is required");
    // Every tenant is a choice written out, never a default.
    assertThat(
            config(Map.of("collector.token.gw", DIGEST, "collector.token.gw.tenants", "*"))
                .sourceTokens())
        .hasEntrySatisfying(DIGEST, g -> assertThat(g.scope()).hasToString("tenants *"));
  }

  @Test
  void noSourceCanBeConfiguredForTheSystemTenant() {
    for (String tenants : new String[] {"_system", "acme,_system"}) {
      assertThatThrownBy(
              () ->
                  config(
                      Map.of("collector.token.gw", DIGEST, "collector.token.gw.tenants", tenants)))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(
              "collector.token.gw.tenants: _system is mcp-audit's own audit trail");
    }
  }

  @Test
  void scopeMistakesNameTheirKey() {
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "collector.token.gw",
                        DIGEST,
                        "collector.token.gw.tenants",
                        "acme",
                        "collector.token.gw.gateways",
                        "gw eu")))
        .hasMessageStartingWith(
            "collector.token.gw.gateways: \"gw eu\" is not a valid gateway name");
    assertThatThrownBy(
            () ->
                config(
                    Map.of("collector.token.gw", DIGEST, "collector.token.gw.tenants", "*,acme")))
        .hasMessageStartingWith("collector.token.gw.tenants: mixes *");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "collector.token.gw",
                        DIGEST,
                        "collector.token.gw.tenants",
                        "acme",
                        "collector.token.gw.tennants",
                        "acme")))
        .hasMessageStartingWith("collector.token.gw.tennants: must be a digest")
        .hasMessageContaining(".tenants and .gateways");
    assertThatThrownBy(
            () ->
                config(
                    Map.of(
                        "collector.token.gw",
                        DIGEST,
                        "collector.token.gw.tenants",
                        "acme",
                        "collector.token.gx.tenants",
                        "acme")))
        .hasMessageStartingWith(
            "collector.token.gx.tenants: no token collector.token.gx is configured");
  }

  @Test
  void scopesComeFromTheEnvironmentToo() {
    Settings s =
        Settings.load(
            null,
            Map.of(
                "MCP_AUDIT_COLLECTOR_TOKEN_GW_EU_1",
                DIGEST,
                "MCP_AUDIT_COLLECTOR_TOKEN_GW_EU_1_TENANTS",
                "acme"),
            Map.of());
    assertThat(CollectorConfig.from(s).sourceTokens().get(DIGEST).scope())
        .hasToString("tenants acme");
    // A file's token with the environment's scope: the same principal, however spelled.
    Settings mixed =
        Settings.load(
            null,
            Map.of("MCP_AUDIT_COLLECTOR_TOKEN_GW_EU_1_TENANTS", "globex"),
            Map.of("collector.token.gw-eu-1", DIGEST));
    assertThat(CollectorConfig.from(mixed).sourceTokens().get(DIGEST).scope())
        .hasToString("tenants globex");
  }

  @Test
  void theFutureSkewIsBounded() {
    assertThat(config(Map.of("validation.max-future-skew", "30s")).maxFutureSkew())
        .isEqualTo(Duration.ofSeconds(30));
    assertThatThrownBy(() -> config(Map.of("validation.max-future-skew", "2d")))
        .hasMessageStartingWith("validation.max-future-skew: at most 24h");
  }
}
