package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.alerts.AlertSearch;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;

/** {@code GET /api/v1/alerts}: newest first, with their evidence event ids. */
final class AlertsEndpoint {
  private final ApiAuth auth;
  private final AlertSearch search;
  private final Clock clock;

  AlertsEndpoint(ApiAuth auth, AlertSearch search, Clock clock) {
    this.auth = auth;
    this.search = search;
    this.clock = clock;
  }

  void list(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.alerts.search");
    AlertSearch.Request req =
        new AlertSearch.Request(
            Params.range(ctx, clock),
            choice(
                "type",
                ctx.queryParam("type"),
                AlertType.class,
                "one of " + Arrays.toString(AlertType.values())),
            choice(
                "severity",
                ctx.queryParam("severity"),
                Severity.class,
                "low, medium, high or critical"),
            Params.id("handle", ctx.queryParam("handle")),
            Params.id("actor", ctx.queryParam("actor")),
            Params.eventId("event_id", ctx.queryParam("event_id")),
            Params.whole("limit", ctx.queryParam("limit"), 100, AlertSearch.MAX_LIMIT));
    AlertSearch.Page page = search.search(scope, req);
    ctx.json(java.util.Map.of("total", page.total(), "alerts", page.alerts()));
  }

  /** An enum parameter by name, case-insensitive; absent is null. */
  private static <E extends Enum<E>> E choice(
      String param, String text, Class<E> type, String expected) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(
          param + ": expected " + expected + ", got '" + Params.shown(text) + "'");
    }
  }
}
