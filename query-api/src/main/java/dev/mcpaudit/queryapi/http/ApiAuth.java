package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.runtime.auth.BearerToken;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Authenticates every API request on its own bearer token (no sessions, no cookies) and checks
 * the role an endpoint needs. The caller rides on the request as an attribute, nowhere else.
 */
final class ApiAuth {
  private static final String CALLER = "mcp-audit.caller";

  private final Authenticator authenticator;

  ApiAuth(Authenticator authenticator) {
    this.authenticator = authenticator;
  }

  void authenticate(Context ctx) {
    String token = BearerToken.from(ctx.header("Authorization"))
        .orElseThrow(() -> ProblemException.unauthorized("send Authorization: Bearer <token>"));
    Authenticator.Result r = authenticator.authenticate(token);
    if (r.caller() == null) {
      throw ProblemException.unauthorized("the token is not valid: " + r.refusal().reason());
    }
    ctx.attribute(CALLER, r.caller());
  }

  static Caller require(Context ctx, Role role) {
    Caller caller = ctx.attribute(CALLER);
    if (caller == null) {
      throw ProblemException.unauthorized("send Authorization: Bearer <token>");
    }
    if (!caller.may(role)) {
      throw new ProblemException(Problem.of(403, "Forbidden",
          "this endpoint needs the " + role.name().toLowerCase(java.util.Locale.ROOT) + " role; the token has "
              + caller.role().name().toLowerCase(java.util.Locale.ROOT)), Map.of());
    }
    return caller;
  }
}
