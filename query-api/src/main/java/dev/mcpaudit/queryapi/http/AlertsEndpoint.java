package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.alerts.AlertSearch;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.TimeRange;
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
    Caller caller = auth.require(ctx, Role.ANALYST, "api.alerts.search");
    AlertSearch.Request req = new AlertSearch.Request(
        TimeRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), clock.instant()),
        ctx.queryParam("tenant"),
        type(ctx.queryParam("type")),
        severity(ctx.queryParam("severity")),
        ctx.queryParam("handle"),
        ctx.queryParam("actor"),
        ctx.queryParam("event_id"),
        limit(ctx.queryParam("limit")));
    AlertSearch.Page page = search.search(caller, req);
    ctx.json(java.util.Map.of("total", page.total(), "alerts", page.alerts()));
  }

  private static AlertType type(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return AlertType.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("type: expected one of " + Arrays.toString(AlertType.values()) + ", got '" + text + "'");
    }
  }

  private static Severity severity(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Severity.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("severity: expected low, medium, high or critical, got '" + text + "'");
    }
  }

  private static int limit(String text) {
    if (text == null || text.isBlank()) {
      return 100;
    }
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1 && n <= AlertSearch.MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ProblemException.badRequest("limit: must be a whole number 1-" + AlertSearch.MAX_LIMIT + ", got '" + text + "'");
  }
}
