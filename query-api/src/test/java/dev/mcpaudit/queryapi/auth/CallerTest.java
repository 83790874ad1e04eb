package dev.mcpaudit.queryapi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The audit trail's tenant is for admins, whatever the tenant list of a token says. */
class CallerTest {
  @Test
  void aNonAdminNeverHoldsTheSystemTenantEvenWhenItsListNamesIt() {
    for (Role role : new Role[] {Role.ANALYST, Role.AUDITOR}) {
      Caller c = new Caller("mallory", role, Set.of("acme", Caller.SYSTEM_TENANT), false);
      assertThat(c.tenants()).containsExactly("acme");
      assertThat(c.sees(Caller.SYSTEM_TENANT)).isFalse();
      assertThat(new Caller("mallory", role, Set.of(), true).sees(Caller.SYSTEM_TENANT)).isFalse();
    }
    Caller admin = new Caller("root", Role.ADMIN, Set.of(), true);
    assertThat(admin.sees(Caller.SYSTEM_TENANT)).isTrue();
    assertThat(admin.sees("acme")).isTrue();
    // The trail records every tenant's callers: an admin scoped to some tenants does not read it.
    Caller scoped = new Caller("ops", Role.ADMIN, Set.of("acme", Caller.SYSTEM_TENANT), false);
    assertThat(scoped.sees(Caller.SYSTEM_TENANT)).isFalse();
    assertThat(scoped.tenants()).containsExactly("acme");
  }

  @Test
  void staticAdminTokensReadEveryTenantOrAreRefusedAtStart() {
    String token = TokenDigest.newToken();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                StaticTokens.from(
                    Settings.of(
                        Map.of(
                            "api.token.ops",
                            TokenDigest.of(token),
                            "api.token.ops.role",
                            "admin",
                            "api.token.ops.tenants",
                            "acme"))))
        .hasMessageStartingWith("api.token.ops.tenants: an admin reads every tenant");
  }

  @Test
  void staticTokensListingTheSystemTenantForAnAnalystGetOnlyTheirOtherTenants() {
    String token = TokenDigest.newToken();
    StaticTokens tokens =
        StaticTokens.from(
            Settings.of(
                Map.of(
                    "api.token.eve",
                    TokenDigest.of(token),
                    "api.token.eve.role",
                    "analyst",
                    "api.token.eve.tenants",
                    "acme, _system")));
    Caller eve = tokens.lookup(token).orElseThrow();
    assertThat(eve.tenants()).containsExactly("acme");
    assertThat(eve.sees(Caller.SYSTEM_TENANT)).isFalse();
  }
}
