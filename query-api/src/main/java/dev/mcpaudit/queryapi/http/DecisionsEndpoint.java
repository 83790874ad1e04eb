package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import dev.mcpaudit.queryapi.search.SearchRequest;
import dev.mcpaudit.queryapi.search.TimeRange;
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
    Caller caller = auth.require(ctx, Role.ANALYST, "api.decisions.search");
    SearchRequest req = new SearchRequest(
        ctx.queryParam("q"),
        TimeRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), clock.instant()),
        ctx.queryParam("tenant"),
        limit(ctx.queryParam("limit")),
        ctx.queryParam("cursor"));
    ctx.json(search.search(caller, req));
  }

  void one(Context ctx) {
    Caller caller = auth.require(ctx, Role.ANALYST, "api.decisions.get");
    String id = ctx.pathParam("event_id");
    ctx.json(search.get(caller, id).orElseThrow(() ->
        new ProblemException(Problem.of(404, "Not Found", "no event '" + id + "' in the tenants this token sees"), Map.of())));
  }

  static int limit(String text) {
    if (text == null || text.isBlank()) {
      return SearchRequest.DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1 && n <= SearchRequest.MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ProblemException.badRequest("limit: must be a whole number 1-" + SearchRequest.MAX_LIMIT + ", got '" + text + "'");
  }
}
