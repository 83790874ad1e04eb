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

  /** Its log position's latest checkpoint, in {@code _meta.evidence.checkpoint} (or null). */
  private static com.fasterxml.jackson.databind.JsonNode withCheckpoint(
      com.fasterxml.jackson.databind.JsonNode event, Covering covering) {
    if (event.path("_meta").get("evidence")
        instanceof com.fasterxml.jackson.databind.node.ObjectNode ev) {
      var cp =
          covering.of(
              event.path("tenant").asText(),
              ev.path("partition").asInt(),
              ev.path("leaf_index").asLong());
      if (cp.isPresent()) {
        ev.putObject("checkpoint")
            .put("size", cp.get().size())
            .put("time", cp.get().time())
            .put("origin", cp.get().note().substring(0, cp.get().note().indexOf('\n')));
      } else {
        ev.putNull("checkpoint");
      }
    }
    return event;
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

  /** The latest checkpoint covering a leaf of a log, when there is one. */
  @FunctionalInterface
  interface Covering {
    java.util.Optional<EvidenceEndpoint.CheckpointView> of(String tenant, int partition, long leaf);
  }

  void one(Context ctx, Covering covering) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.decisions.get");
    String id = Params.eventId("event_id", ctx.pathParam("event_id"));
    if (id == null) {
      throw ProblemException.badRequest("event_id: is required");
    }
    ctx.json(
        search
            .get(scope, id)
            .map(event -> withCheckpoint(event, covering))
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
