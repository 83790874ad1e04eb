package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import dev.mcpaudit.queryapi.search.IndexAccess;
import dev.mcpaudit.queryapi.search.TimeRange;
import dev.mcpaudit.queryapi.stats.Stats;
import dev.mcpaudit.queryapi.store.Saturating;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.time.Clock;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;

/** {@code GET /api/v1/stats/top} and {@code GET /api/v1/stats/histogram}. */
final class StatsEndpoint {
  private final ApiAuth auth;
  static final int MAX_SIZE = 1000;
  static final int MAX_BUCKETS = 1000;

  private final Stats stats;
  private final DecisionSearch search;
  private final Clock clock;

  StatsEndpoint(ApiAuth auth, Stats stats, DecisionSearch search, Clock clock) {
    this.auth = auth;
    this.stats = stats;
    this.search = search;
    this.clock = clock;
  }

  void top(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.stats.top");
    String field = ctx.queryParam("field");
    if (field == null || !Stats.TOP_FIELDS.contains(field)) {
      throw ProblemException.badRequest(
          "field: one of "
              + String.join(", ", new java.util.TreeSet<>(Stats.TOP_FIELDS))
              + (field == null ? "" : "; got '" + Params.shown(field) + "'"));
    }
    int size = Params.whole("size", ctx.queryParam("size"), 10, MAX_SIZE);
    TimeRange range = Params.range(ctx, clock);
    ctx.json(stats.top(search.compose(scope, ctx.queryParam("q"), range), field, size));
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
    Query q =
        new BooleanQuery.Builder()
            .add(search.compose(scope, ctx.queryParam("q"), range), BooleanClause.Occur.FILTER)
            .add(IndexAccess.decisionsOnly(), BooleanClause.Occur.FILTER)
            .build();
    ctx.json(stats.histogram(q, range.from().toEpochMilli(), interval, n));
  }
}
