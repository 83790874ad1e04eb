package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.RequestScope;
import dev.mcpaudit.queryapi.store.TenantNotCovered;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.runtime.auth.BearerToken;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Authenticates and authorizes every API request on its own bearer token (no sessions, no cookies),
 * and records each decision, allow or deny, in the audit trail (a request without a usable
 * credential is counted there rather than recorded alone). Each handler calls {@link #require}
 * first, with the name of its operation, and gets the request's {@link TenantScope}: the caller and
 * the tenants it reads, checked here once.
 */
final class ApiAuth {
  private final Authenticator authenticator;
  private final AuditTrail audit;

  ApiAuth(Authenticator authenticator, AuditTrail audit) {
    this.authenticator = authenticator;
    this.audit = audit;
  }

  TenantScope require(Context ctx, Role role, String operation) {
    Optional<String> token = BearerToken.from(ctx.header("Authorization"));
    if (token.isEmpty()) {
      audit.refused(ctx.req().getRemoteAddr(), operation, "CREDENTIAL_MISSING", "no bearer token");
      throw ProblemException.unauthorized("send Authorization: Bearer <token>");
    }
    Authenticator.Result r = authenticator.authenticate(token.get());
    if (r.caller() == null) {
      audit.refused(
          ctx.req().getRemoteAddr(), operation, "CREDENTIAL_INVALID", r.refusal().reason());
      throw ProblemException.unauthorized("the token is not valid: " + r.refusal().reason());
    }
    Caller caller = r.caller();
    if (!caller.may(role)) {
      String needed = role.name().toLowerCase(Locale.ROOT);
      audit.record(caller.principal(), operation, false, "POLICY_DENY", "needs role " + needed);
      throw new ProblemException(
          Problem.of(
              403,
              "Forbidden",
              "this endpoint needs the "
                  + needed
                  + " role; the token has "
                  + caller.role().name().toLowerCase(Locale.ROOT)),
          Map.of());
    }
    TenantScope scope;
    try {
      scope = TenantScope.of(caller, Params.tenant(ctx.queryParam("tenant")));
    } catch (TenantNotCovered e) {
      audit.record(
          caller.principal(), operation, false, "POLICY_DENY", "tenant not covered by the token");
      throw e;
    }
    audit.record(caller.principal(), operation, true, "ALLOWED", null);
    RequestScope.caller(caller.principal());
    return scope;
  }
}
