package dev.mcpaudit.queryapi.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * {@code GET /api/v1/whoami}: what this token is, so a client (the UI) shows only what it may do.
 * It is a convenience, not a control: every endpoint still authorizes its own request.
 */
final class WhoAmIEndpoint {
  private final ApiAuth auth;

  WhoAmIEndpoint(ApiAuth auth) {
    this.auth = auth;
  }

  /**
   * @param tenants {@code ["*"]} for every tenant
   */
  record WhoAmI(
      String principal,
      String role,
      List<String> tenants,
      @JsonProperty("may_export") boolean mayExport,
      @JsonProperty("may_manage_rules") boolean mayManageRules) {}

  void get(Context ctx) {
    Caller caller = auth.require(ctx, Role.ANALYST, "api.whoami").caller();
    ctx.json(
        new WhoAmI(
            caller.principal(),
            caller.role().name().toLowerCase(Locale.ROOT),
            caller.allTenants() ? List.of("*") : List.copyOf(new TreeSet<>(caller.tenants())),
            caller.may(Role.AUDITOR),
            caller.may(Role.ADMIN)));
  }
}
