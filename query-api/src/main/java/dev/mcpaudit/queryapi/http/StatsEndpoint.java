package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.Saturating;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.queryapi.store.TopValues;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.time.Clock;

/** {@code GET /api/v1/stats/top} and {@code GET /api/v1/stats/histogram}. */
final class StatsEndpoint {
  private final ApiAuth auth;
  static final int MAX_SIZE = 1000;
  static final int MAX_BUCKETS = 1000;

  private final EventStore store;
  private final Clock clock;

  StatsEndpoint(ApiAuth auth, EventStore store, Clock clock) {
    this.auth = auth;
    this.store = store;
    this.clock = clock;
  }

  void top(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.stats.top");
    String field = ctx.queryParam("field");
    if (field == null || !TopValues.FIELDS.contains(field)) {
      throw ProblemException.badRequest(
          "field: one of "
              + String.join(", ", new java.util.TreeSet<>(TopValues.FIELDS))
              + (field == null ? "" : "; got '" + Params.shown(field) + "'"));
    }
    int size = Params.whole("size", ctx.queryParam("size"), 10, MAX_SIZE);
    TimeRange range = Params.range(ctx, clock);
    ctx.json(store.top(scope, new EventQuery(ctx.queryParam("q"), range), field, size));
  }

  void histogram(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.stats.histogram");
    int buckets = Params.whole("buckets", ctx.queryParam("buckets"), 60, MAX_BUCKETS);
    TimeRange range = Params.range(ctx, clock);
    // Params.range keeps from and to within a quarter of the long range, so this cannot overflow;
    // saturated anyway.
    long span = Saturating.subtract(range.to().toEpochMilli(), range.from().toEpochMilli());
    long interval = Math.max(1, span / buckets + (span % buckets == 0 ? 0 : 1));
    int n = (int) Math.min(buckets, span / interval + (span % interval == 0 ? 0 : 1));
    ctx.json(store.histogram(scope, new EventQuery(ctx.queryParam("q"), range), interval, n));
  }
}
