package dev.mcpaudit.queryapi.auth;

import java.util.Set;

/**
 * Who is asking, as established from this request's own credential (there are no sessions). {@code
 * tenants} is what the caller may see; {@code allTenants} stands for "*".
 *
 * <p>The API's own audit trail (tenant {@code _system}) is for admins over every tenant only,
 * whatever a token's tenant list says: it records every tenant's callers, so an admin scoped to
 * some tenants does not read it, and a non-admin caller is built without it, so no filter made from
 * {@link #tenants()} can include it (README, "The query API").
 */
public record Caller(String principal, Role role, Set<String> tenants, boolean allTenants) {
  public static final String SYSTEM_TENANT = dev.mcpaudit.schema.event.Tenants.SYSTEM;

  public Caller {
    tenants =
        role == Role.ADMIN && allTenants
            ? Set.copyOf(tenants)
            : tenants.stream()
                .filter(t -> !SYSTEM_TENANT.equals(t))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  public boolean may(Role needed) {
    return role.includes(needed);
  }

  /**
   * Whether the caller may see a tenant; the API's own audit tenant is for admins over every tenant
   * only.
   */
  public boolean sees(String tenant) {
    if (SYSTEM_TENANT.equals(tenant)) {
      return role == Role.ADMIN && allTenants;
    }
    return allTenants || tenants.contains(tenant);
  }
}
