package dev.mcpaudit.queryapi.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TenantScopeTest {
  private static final Caller ALICE =
      new Caller("alice", Role.ANALYST, Set.of("acme", "initech"), false);
  private static final Caller CAROL = new Caller("carol", Role.AUDITOR, Set.of(), true);
  private static final Caller ROOT = new Caller("root", Role.ADMIN, Set.of(), true);

  @Test
  void aCallerReadsItsOwnTenantsOrTheOneItAsksForAndNothingElse() {
    TenantScope all = TenantScope.of(ALICE, null);
    assertThat(all.unbounded()).isFalse();
    assertThat(all.tenants()).containsExactly("acme", "initech");
    assertThat(all.includesSystem()).isFalse();
    assertThat(all.asked()).isNull();

    TenantScope one = TenantScope.of(ALICE, "initech");
    assertThat(one.tenants()).containsExactly("initech");
    assertThat(one.asked()).isEqualTo("initech");
    assertThat(one.everyTenant()).isEqualTo(all);
    assertThat(TenantScope.of(ALICE, "  ")).isEqualTo(all);

    assertThatThrownBy(() -> TenantScope.of(ALICE, "globex"))
        .isInstanceOf(TenantNotCovered.class)
        .hasMessage("this token does not cover tenant 'globex'");
    // The check is the constructor's: no way around it.
    assertThatThrownBy(() -> new TenantScope(ALICE, Optional.of("globex")))
        .isInstanceOf(TenantNotCovered.class);
  }

  @Test
  void theAuditTrailIsForAdminsOverEveryTenantOnly() {
    TenantScope auditor = TenantScope.of(CAROL, null);
    assertThat(auditor.unbounded()).isTrue();
    assertThat(auditor.includesSystem()).isFalse();
    assertThatThrownBy(() -> TenantScope.of(CAROL, Caller.SYSTEM_TENANT))
        .isInstanceOf(TenantNotCovered.class);
    assertThatThrownBy(() -> TenantScope.of(ALICE, Caller.SYSTEM_TENANT))
        .isInstanceOf(TenantNotCovered.class);

    TenantScope admin = TenantScope.of(ROOT, null);
    assertThat(admin.unbounded()).isTrue();
    assertThat(admin.includesSystem()).isTrue();
    TenantScope system = TenantScope.of(ROOT, Caller.SYSTEM_TENANT);
    assertThat(system.includesSystem()).isTrue();
    assertThat(system.tenants()).containsExactly(Caller.SYSTEM_TENANT);
    assertThat(TenantScope.of(ROOT, "acme").includesSystem()).isFalse();
  }
}
