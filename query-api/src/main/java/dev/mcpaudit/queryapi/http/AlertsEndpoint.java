package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.AlertQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** {@code GET /api/v1/alerts}: newest first, with their evidence event ids. */
final class AlertsEndpoint {
  private final ApiAuth auth;
  private final EventStore store;
  private final Clock clock;

  AlertsEndpoint(ApiAuth auth, EventStore store, Clock clock) {
    this.auth = auth;
    this.store = store;
    this.clock = clock;
  }

  void list(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.alerts.search");
    AlertQuery req =
        new AlertQuery(
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
            Optional.ofNullable(Params.id("handle", ctx.queryParam("handle"))),
            Optional.ofNullable(Params.id("actor", ctx.queryParam("actor"))),
            Optional.ofNullable(Params.eventId("event_id", ctx.queryParam("event_id"))),
            Params.whole("limit", ctx.queryParam("limit"), 100, AlertQuery.MAX_LIMIT));
    ctx.json(store.alerts(scope, req));
  }

  /** An enum parameter by name, case-insensitive. */
  private static <E extends Enum<E>> Optional<E> choice(
      String param, String text, Class<E> type, String expected) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest(
          param + ": expected " + expected + ", got '" + Params.shown(text) + "'");
    }
  }
}
