package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import dev.mcpaudit.queryapi.search.SearchRequest;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Map;

/** {@code GET /api/v1/decisions} and {@code GET /api/v1/decisions/{event_id}}. */
final class DecisionsEndpoint {
  private final ApiAuth auth;
  private final DecisionSearch search;
  private final Clock clock;

  DecisionsEndpoint(ApiAuth auth, DecisionSearch search, Clock clock) {
    this.auth = auth;
    this.search = search;
    this.clock = clock;
  }

  void list(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.decisions.search");
    SearchRequest req =
        new SearchRequest(
            ctx.queryParam("q"),
            Params.range(ctx, clock),
            Params.whole(
                "limit",
                ctx.queryParam("limit"),
                SearchRequest.DEFAULT_LIMIT,
                SearchRequest.MAX_LIMIT),
            ctx.queryParam("cursor"));
    ctx.json(search.search(scope, req));
  }

  void one(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.decisions.get");
    String id = Params.eventId("event_id", ctx.pathParam("event_id"));
    if (id == null) {
      throw ProblemException.badRequest("event_id: is required");
    }
    ctx.json(
        search
            .get(scope, id)
            .orElseThrow(
                () ->
                    new ProblemException(
                        Problem.of(
                            404,
                            "Not Found",
                            "no event '" + id + "' in the tenants this token sees"),
                        Map.of())));
  }
}
