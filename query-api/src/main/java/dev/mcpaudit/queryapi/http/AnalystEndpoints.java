package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.AccessReport;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Map;

/**
 * {@code GET /api/v1/access} and {@code GET /api/v1/handles/{id}}: the two questions the product
 * exists for.
 */
final class AnalystEndpoints {
  private final ApiAuth auth;
  private final EventStore store;
  private final Clock clock;

  AnalystEndpoints(ApiAuth auth, EventStore store, Clock clock) {
    this.auth = auth;
    this.store = store;
    this.clock = clock;
  }

  void access(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.access");
    String actor = Params.id("actor", ctx.queryParam("actor"));
    String user = Params.id("on_behalf_of", ctx.queryParam("on_behalf_of"));
    if ((actor == null) == (user == null)) {
      throw ProblemException.badRequest(
          "give exactly one of actor=<actor id> or on_behalf_of=<user id>");
    }
    TimeRange range = Params.range(ctx, clock);
    ctx.json(
        actor != null
            ? store.access(scope, AccessReport.Subject.ACTOR, actor, range)
            : store.access(scope, AccessReport.Subject.ON_BEHALF_OF, user, range));
  }

  void handle(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.handles.get");
    String id = Params.id("id", ctx.pathParam("id"));
    if (id == null) {
      throw ProblemException.badRequest("id: the handle id is required");
    }
    ctx.json(
        store
            .handle(scope, id)
            .orElseThrow(
                () ->
                    new ProblemException(
                        Problem.of(
                            404,
                            "Not Found",
                            "handle '" + id + "' never appears in the tenants this token sees"),
                        Map.of())));
  }
}
