package dev.mcpaudit.queryapi.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.mcpaudit.kafka.client.GroupLag;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import dev.mcpaudit.queryapi.search.Page;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.search.RequestScope;
import dev.mcpaudit.queryapi.store.AccessReport;
import dev.mcpaudit.queryapi.store.AlertPage;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.HandleReport;
import dev.mcpaudit.queryapi.store.Histogram;
import dev.mcpaudit.queryapi.store.TopValues;
import dev.mcpaudit.schema.event.EventCodec;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import io.javalin.json.JavalinJackson;
import io.javalin.json.JsonMapper;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code /api/v1} routes, installable into any Javalin config (the api role's own server, or
 * the quickstart's single port). Every handler authenticates and authorizes its own request first
 * ({@code ApiAuth.require}) and the decision goes to the audit trail; every question goes to the
 * {@link EventStore}, whichever engine is behind it.
 */
public final class ApiRoutes {
  public static final String BASE = "/api/v1";

  private final DecisionsEndpoint decisions;
  private final AnalystEndpoints analyst;
  private final StatsEndpoint stats;
  private final ExportEndpoint export;
  private final AlertsEndpoint alerts;
  private final WhoAmIEndpoint whoami;
  private final EvidenceEndpoint evidence;
  private final RulesEndpoint rules;
  private final ApiAuth auth;
  private DetectionEndpoint detection;

  private ApiRoutes(
      EventStore store,
      Authenticator authenticator,
      AuditTrail audit,
      QueryLimits limits,
      ExportLimits exportLimits,
      Clock clock) {
    this.auth = new ApiAuth(authenticator, audit);
    this.detection = new DetectionEndpoint(auth, Optional::empty);
    this.decisions =
        new DecisionsEndpoint(auth, new DecisionSearch(store, limits.cursorKey()), clock);
    this.stats = new StatsEndpoint(auth, store, clock);
    this.export = new ExportEndpoint(auth, store, clock, exportLimits);
    this.whoami = new WhoAmIEndpoint(auth);
    this.alerts = new AlertsEndpoint(auth, store, clock);
    this.analyst = new AnalystEndpoints(auth, store, clock);
    this.evidence = new EvidenceEndpoint(auth, store, export, clock);
    this.rules = new RulesEndpoint(auth, store, clock, exportLimits.timeout());
  }

  /**
   * Wires the API over {@code store}: the one assembly the api role, the quickstart and the tests
   * use.
   *
   * @param limits the cursor key and the other per-request limits (the store applies its own share
   *     of them where it was made)
   * @param exportLimits how many exports may run at once, in all and per caller, and for how long
   */
  public static ApiRoutes assemble(
      EventStore store,
      Authenticator authenticator,
      AuditTrail audit,
      QueryLimits limits,
      ExportLimits exportLimits,
      Clock clock) {
    return new ApiRoutes(store, authenticator, audit, limits, exportLimits, clock);
  }

  /**
   * JSON for API responses: the contract's snake_case and times, but nulls written out ({@code
   * "revoked": null}, {@code "next_cursor": null} are answers, not omissions).
   */
  public static JsonMapper json() {
    return new JavalinJackson(mapper(), false);
  }

  /** The mapper behind {@link #json()}, for tests that hold the answers to their description. */
  public static ObjectMapper mapper() {
    ObjectMapper m = EventCodec.mapper().copy();
    m.setDefaultPropertyInclusion(
        JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));
    // Answers hold Optional where a value may be absent; absent is written as null.
    m.registerModule(new Jdk8Module());
    return m;
  }

  /**
   * One API route; {@link #routes} is the one list that install() and the OpenAPI test read.
   *
   * @param answer the type of its JSON answer (the OpenAPI test holds the description to it); a
   *     {@link JsonNode} answer is an event as stored, {@link Void} a file
   */
  public record Route(String method, String path, Class<?> answer, Handler handler) {}

  public List<Route> routes() {
    return List.of(
        new Route("get", BASE + "/decisions", Page.class, decisions::list),
        new Route(
            "get",
            BASE + "/decisions/{event_id}",
            JsonNode.class,
            ctx -> decisions.one(ctx, evidence::covering)),
        new Route("get", BASE + "/access", AccessReport.class, analyst::access),
        new Route("get", BASE + "/handles/{id}", HandleReport.class, analyst::handle),
        new Route("get", BASE + "/stats/top", TopValues.class, stats::top),
        new Route("get", BASE + "/stats/histogram", Histogram.class, stats::histogram),
        new Route("get", BASE + "/export", Void.class, export::export),
        new Route("get", BASE + "/alerts", AlertPage.class, alerts::list),
        new Route("get", BASE + "/alerts/{alert_id}", JsonNode.class, alerts::one),
        new Route(
            "patch", BASE + "/alerts/{alert_id}", AlertsEndpoint.Changed.class, alerts::update),
        new Route(
            "post",
            BASE + "/alerts/_update",
            dev.mcpaudit.queryapi.triage.AlertTriage.BulkOutcome.class,
            alerts::updateAll),
        new Route("get", BASE + "/whoami", WhoAmIEndpoint.WhoAmI.class, whoami::get),
        new Route("get", BASE + "/evidence/keys", EvidenceEndpoint.Keys.class, evidence::keys),
        new Route(
            "get",
            BASE + "/evidence/proof/{event_id}",
            EvidenceEndpoint.Proof.class,
            evidence::proof),
        new Route(
            "get",
            BASE + "/evidence/consistency",
            EvidenceEndpoint.Consistency.class,
            evidence::consistency),
        new Route("get", BASE + "/evidence/logs", EvidenceEndpoint.Logs.class, evidence::logs),
        new Route("get", BASE + "/evidence/export", Void.class, evidence::bundle),
        new Route("get", BASE + "/rules", RulesEndpoint.RuleList.class, rules::list),
        new Route("get", BASE + "/rules/{rule_id}", RulesEndpoint.RuleView.class, rules::one),
        new Route("put", BASE + "/rules/{rule_id}", RulesEndpoint.RuleView.class, rules::put),
        new Route("delete", BASE + "/rules/{rule_id}", Void.class, rules::delete),
        new Route("post", BASE + "/rules/_preview", RulesEndpoint.Preview.class, rules::preview),
        new Route(
            "get",
            BASE + "/detection",
            DetectionEndpoint.Detection.class,
            ctx -> detection.get(ctx)));
  }

  /**
   * Serves the analysts' alert rules (README, "Alert rules"); without it the rule routes but the
   * preview of a rule in the body answer 503 and say why.
   */
  public ApiRoutes rules(dev.mcpaudit.queryapi.rules.RuleRegistry registry) {
    rules.serve(registry);
    return this;
  }

  /**
   * Lets analysts change alerts (docs/alerts.md); without it the change routes answer 503 and say
   * why.
   */
  public ApiRoutes triage(dev.mcpaudit.queryapi.triage.AlertTriage triage) {
    alerts.triage(triage);
    return this;
  }

  /**
   * Serves the evidence logs {@code reader} reads, with the public keys their checkpoints are
   * checked against (README, "Verifiable evidence"); without it the evidence routes answer 404 and
   * say why.
   */
  public ApiRoutes evidence(
      dev.mcpaudit.queryapi.evidence.EvidenceReader reader,
      List<dev.mcpaudit.schema.evidence.VerifierKey> keys) {
    return evidence(reader, keys, null);
  }

  /**
   * The alert logs (README, "Evidence bundles"): a bundle of an alert's evidence then holds the
   * alert's own proof.
   */
  public ApiRoutes alertEvidence(dev.mcpaudit.queryapi.evidence.EvidenceReader reader) {
    evidence.serveAlerts(reader);
    return this;
  }

  /**
   * The evidence routes, and evidence bundles whose manifests {@code bundleKey} signs (null: no
   * bundles; README, "Evidence bundles").
   */
  public ApiRoutes evidence(
      dev.mcpaudit.queryapi.evidence.EvidenceReader reader,
      List<dev.mcpaudit.schema.evidence.VerifierKey> keys,
      dev.mcpaudit.schema.evidence.SigningKey bundleKey) {
    evidence.serve(reader, keys, bundleKey);
    return this;
  }

  /**
   * Where {@code /detection} reads how far the detector is behind (the detector's own measurement
   * in the quickstart, a {@code LagWatch} of the api role's own otherwise); unknown until set.
   */
  public ApiRoutes detection(Supplier<Optional<GroupLag.Snapshot>> lag) {
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
      switch (r.method()) {
        case "get" -> config.routes.get(r.path(), r.handler());
        case "patch" -> config.routes.patch(r.path(), r.handler());
        case "post" -> config.routes.post(r.path(), r.handler());
        case "put" -> config.routes.put(r.path(), r.handler());
        case "delete" -> config.routes.delete(r.path(), r.handler());
        default -> throw new IllegalStateException("no such method " + r.method());
      }
    }
  }
}
