package dev.mcpaudit.queryapi.auth;

import java.util.Set;

/**
 * Who is asking, as established from this request's own credential (there are no sessions).
 * {@code tenants} is what the caller may see; {@code allTenants} stands for "*".
 */
public record Caller(String principal, Role role, Set<String> tenants, boolean allTenants) {
  public static final String SYSTEM_TENANT = "_system";

  public Caller {
    tenants = Set.copyOf(tenants);
  }

  public boolean may(Role needed) {
    return role.includes(needed);
  }

  /** Whether the caller may see a tenant; the API's own audit tenant is for admins only. */
  public boolean sees(String tenant) {
    if (SYSTEM_TENANT.equals(tenant)) {
      return role == Role.ADMIN;
    }
    return allTenants || tenants.contains(tenant);
  }
}
