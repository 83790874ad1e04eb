package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
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

  void get(Context ctx) {
    Caller caller = auth.require(ctx, Role.ANALYST, "api.whoami").caller();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("principal", caller.principal());
    out.put("role", caller.role().name().toLowerCase(Locale.ROOT));
    out.put(
        "tenants", caller.allTenants() ? java.util.List.of("*") : new TreeSet<>(caller.tenants()));
    out.put("may_export", caller.may(Role.AUDITOR));
    ctx.json(out);
  }
}
