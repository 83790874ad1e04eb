package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import dev.mcpaudit.queryapi.search.IndexAccess;
import dev.mcpaudit.queryapi.search.TimeRange;
import dev.mcpaudit.queryapi.stats.Stats;
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
    Caller caller = auth.require(ctx, Role.ANALYST, "api.stats.top");
    String field = ctx.queryParam("field");
    if (field == null || !Stats.TOP_FIELDS.contains(field)) {
      throw ProblemException.badRequest("field: one of " + String.join(", ", new java.util.TreeSet<>(Stats.TOP_FIELDS)));
    }
    int size = bounded("size", ctx.queryParam("size"), 10, MAX_SIZE);
    TimeRange range = TimeRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), clock.instant());
    ctx.json(stats.top(search.compose(caller, ctx.queryParam("q"), range, ctx.queryParam("tenant")), field, size));
  }

  void histogram(Context ctx) {
    Caller caller = auth.require(ctx, Role.ANALYST, "api.stats.histogram");
    int buckets = bounded("buckets", ctx.queryParam("buckets"), 60, MAX_BUCKETS);
    TimeRange range = TimeRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), clock.instant());
    long span = range.to().toEpochMilli() - range.from().toEpochMilli();
    long interval = Math.max(1, (span + buckets - 1) / buckets);
    int n = (int) ((span + interval - 1) / interval);
    Query q = new BooleanQuery.Builder()
        .add(search.compose(caller, ctx.queryParam("q"), range, ctx.queryParam("tenant")), BooleanClause.Occur.FILTER)
        .add(IndexAccess.decisionsOnly(), BooleanClause.Occur.FILTER)
        .build();
    ctx.json(stats.histogram(q, range.from().toEpochMilli(), interval, n));
  }

  static int bounded(String name, String text, int fallback, int max) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(text.strip());
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ProblemException.badRequest(name + ": must be a whole number 1-" + max + ", got '" + text + "'");
  }
}
