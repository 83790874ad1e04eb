package dev.mcpaudit.queryapi.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpaudit.queryapi.access.AccessSummary;
import dev.mcpaudit.queryapi.alerts.AlertSearch;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.export.Exporter;
import dev.mcpaudit.queryapi.handles.HandleTimeline;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import dev.mcpaudit.queryapi.search.IndexAccess;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.search.RequestScope;
import dev.mcpaudit.queryapi.search.SearchGate;
import dev.mcpaudit.queryapi.stats.Stats;
import dev.mcpaudit.schema.event.EventCodec;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import io.javalin.json.JavalinJackson;
import io.javalin.json.JsonMapper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;

/**
 * The {@code /api/v1} routes, installable into any Javalin config (the api role's own server, or
 * the quickstart's single port). Every handler authenticates and authorizes its own request first
 * ({@code ApiAuth.require}) and the decision goes to the audit trail.
 */
public final class ApiRoutes {
  public static final String BASE = "/api/v1";

  private final DecisionsEndpoint decisions;
  private final AnalystEndpoints analyst;
  private final StatsEndpoint stats;
  private final ExportEndpoint export;
  private final AlertsEndpoint alerts;
  private final WhoAmIEndpoint whoami;
  private final ApiAuth auth;
  private DetectionEndpoint detection;

  /**
   * @param searchers the events index
   * @param alertSearchers the alerts index the indexer keeps beside it
   */
  public ApiRoutes(
      Authenticator authenticator,
      AuditTrail audit,
      ReferenceManager<IndexSearcher> searchers,
      ReferenceManager<IndexSearcher> alertSearchers,
      Duration queryTimeout,
      Clock clock) {
    this(
        authenticator, audit, searchers, alertSearchers, QueryLimits.defaults(queryTimeout), clock);
  }

  public ApiRoutes(
      Authenticator authenticator,
      AuditTrail audit,
      ReferenceManager<IndexSearcher> searchers,
      ReferenceManager<IndexSearcher> alertSearchers,
      QueryLimits limits,
      Clock clock) {
    this(authenticator, audit, searchers, alertSearchers, limits, ExportLimits.defaults(), clock);
  }

  /**
   * @param limits what one request may cost; the clause limit applies to the whole process
   *     (Lucene's is global)
   * @param exportLimits how many exports may run at once, in all and per caller, and for how long
   */
  public ApiRoutes(
      Authenticator authenticator,
      AuditTrail audit,
      ReferenceManager<IndexSearcher> searchers,
      ReferenceManager<IndexSearcher> alertSearchers,
      QueryLimits limits,
      ExportLimits exportLimits,
      Clock clock) {
    Duration queryTimeout = limits.timeout();
    IndexSearcher.setMaxClauseCount(limits.maxClauses());
    SearchGate gate = new SearchGate(limits.admission());
    IndexAccess index = new IndexAccess(searchers, queryTimeout, gate);
    ApiAuth auth = new ApiAuth(authenticator, audit);
    this.auth = auth;
    this.detection = new DetectionEndpoint(auth, java.util.Optional::empty);
    DecisionSearch search = new DecisionSearch(index, limits);
    this.decisions = new DecisionsEndpoint(auth, search, clock);
    this.stats = new StatsEndpoint(auth, new Stats(index), search, clock);
    this.export = new ExportEndpoint(auth, new Exporter(index), search, clock, exportLimits);
    this.whoami = new WhoAmIEndpoint(auth);
    this.alerts =
        new AlertsEndpoint(
            auth, new AlertSearch(new IndexAccess(alertSearchers, queryTimeout, gate)), clock);
    this.analyst =
        new AnalystEndpoints(auth, new AccessSummary(index), new HandleTimeline(index), clock);
  }

  /**
   * JSON for API responses: the contract's snake_case and times, but nulls written out ({@code
   * "revoked": null}, {@code "next_cursor": null} are answers, not omissions).
   */
  public static JsonMapper json() {
    ObjectMapper m = EventCodec.mapper().copy();
    m.setDefaultPropertyInclusion(
        JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));
    return new JavalinJackson(m, false);
  }

  /** One API route; {@link #routes} is the one list that install() and the OpenAPI test read. */
  public record Route(String method, String path, Handler handler) {}

  public List<Route> routes() {
    return List.of(
        new Route("get", BASE + "/decisions", decisions::list),
        new Route("get", BASE + "/decisions/{event_id}", decisions::one),
        new Route("get", BASE + "/access", analyst::access),
        new Route("get", BASE + "/handles/{id}", analyst::handle),
        new Route("get", BASE + "/stats/top", stats::top),
        new Route("get", BASE + "/stats/histogram", stats::histogram),
        new Route("get", BASE + "/export", export::export),
        new Route("get", BASE + "/alerts", alerts::list),
        new Route("get", BASE + "/whoami", whoami::get),
        new Route("get", BASE + "/detection", ctx -> detection.get(ctx)));
  }

  /**
   * Where {@code /detection} reads how far the detector is behind (the detector's own measurement
   * in the quickstart, a {@code LagWatch} of the api role's own otherwise); unknown until set.
   */
  public ApiRoutes detection(
      java.util.function.Supplier<java.util.Optional<dev.mcpaudit.kafka.client.GroupLag.Snapshot>>
          lag) {
    this.detection = new DetectionEndpoint(auth, lag);
    return this;
  }

  public void install(JavalinConfig config) {
    StoreErrors.install(config);
    // Every API request's arrival and caller, for search admission (its deadline counts from
    // arrival).
    config.routes.before(BASE + "/*", ctx -> RequestScope.begin());
    config.routes.after(BASE + "/*", ctx -> RequestScope.end());
    for (Route r : routes()) {
      if (!r.method().equals("get")) {
        throw new IllegalStateException("only GET routes exist in /api/v1");
      }
      config.routes.get(r.path(), r.handler());
    }
  }
}
