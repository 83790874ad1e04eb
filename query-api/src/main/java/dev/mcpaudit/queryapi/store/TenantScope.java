package dev.mcpaudit.queryapi.store;

import dev.mcpaudit.queryapi.auth.Caller;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tenants one request reads, and who asks: built once per request from the authenticated caller
 * and its {@code ?tenant}, and handed to every question the request puts to the store. The only
 * tenant check is this constructor's; the store turns a scope into its filter in one place, so no
 * feature filters tenants by hand.
 *
 * @param caller who asks (the cursor binds to it; admins see more of an event's bookkeeping)
 * @param tenant the one tenant asked for, or empty for every tenant the caller sees
 */
public record TenantScope(Caller caller, Optional<String> tenant) {
  public TenantScope {
    Objects.requireNonNull(caller, "caller");
    Objects.requireNonNull(tenant, "tenant");
    if (tenant.isPresent() && !caller.sees(tenant.get())) {
      throw new TenantNotCovered(tenant.get());
    }
  }

  /**
   * @param tenant the request's {@code ?tenant}: null or blank for every tenant the caller sees
   * @throws TenantNotCovered when the caller does not see it
   */
  public static TenantScope of(Caller caller, String tenant) {
    return new TenantScope(
        caller, tenant == null || tenant.isBlank() ? Optional.empty() : Optional.of(tenant));
  }

  /** The same caller over every tenant it sees, whatever the request asked. */
  public TenantScope everyTenant() {
    return new TenantScope(caller, Optional.empty());
  }

  /** Whether the scope is every tenant there is (with or without {@code _system}). */
  public boolean unbounded() {
    return tenant.isEmpty() && caller.allTenants();
  }

  /** Whether the API's own audit tenant is in scope. */
  public boolean includesSystem() {
    return tenant
        .map(Caller.SYSTEM_TENANT::equals)
        .orElseGet(() -> caller.sees(Caller.SYSTEM_TENANT));
  }

  /**
   * The tenants in scope when it is bounded ({@link #unbounded()} false), sorted; {@code _system}
   * among them when included.
   */
  public Set<String> tenants() {
    if (tenant.isPresent()) {
      return Set.of(tenant.get());
    }
    TreeSet<String> all = new TreeSet<>(caller.tenants());
    if (includesSystem()) {
      all.add(Caller.SYSTEM_TENANT);
    }
    return all;
  }

  /** The {@code ?tenant} as asked, or null: what a cursor is bound to. */
  public String asked() {
    return tenant.orElse(null);
  }
}
