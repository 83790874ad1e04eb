package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.StaticTokens;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import io.javalin.config.JavalinConfig;
import java.time.Clock;
import java.time.Duration;
import org.apache.lucene.search.SearcherManager;

/**
 * The {@code /api/v1} routes, installable into any Javalin config (the api role's own server, or
 * the quickstart's single port). Every route authenticates its request first.
 */
public final class ApiRoutes {
  public static final String BASE = "/api/v1";

  private final ApiAuth auth;
  private final DecisionsEndpoint decisions;

  public ApiRoutes(StaticTokens tokens, SearcherManager searchers, Duration queryTimeout, Clock clock) {
    this.auth = new ApiAuth(tokens);
    this.decisions = new DecisionsEndpoint(new DecisionSearch(searchers, queryTimeout), clock);
  }

  public void install(JavalinConfig config) {
    config.routes.before(BASE + "/*", auth::authenticate);
    config.routes.get(BASE + "/decisions", decisions::list);
    config.routes.get(BASE + "/decisions/{event_id}", decisions::one);
  }
}
