package dev.mcpaudit.queryapi.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.rules.RulePreviews;
import dev.mcpaudit.queryapi.rules.RuleRegistry;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.rules.Correlation;
import dev.mcpaudit.rules.CustomRule;
import dev.mcpaudit.rules.RuleCodec;
import dev.mcpaudit.rules.RulePreview;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.ValidationError;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /rules}: the analysts' alert rules (README, "Alert rules"). Admins list, save and delete
 * rules of the tenants their token covers (a rule for every tenant needs a token over every
 * tenant); analysts preview a rule, saved or not, over a past time range of the tenants they read.
 * A rule that fails a check is refused with each field at fault, the query with the parser's own
 * message.
 */
final class RulesEndpoint {
  /** Longest rule body accepted. */
  static final int MAX_BODY = 16 * 1024;

  /** Alerts a preview lists at most (it counts them all). */
  static final int MAX_LISTED = 1000;

  private static final Set<String> PREVIEW_FIELDS =
      Set.of(
          "rule",
          "rule_id",
          "builtin",
          "tenant",
          "threshold",
          "window_seconds",
          "suppression_seconds");

  private final ApiAuth auth;
  private final Clock clock;
  private final RulePreviews previews;
  private RuleRegistry registry;

  RulesEndpoint(ApiAuth auth, EventStore store, Clock clock, Duration previewTimeout) {
    this.auth = auth;
    this.clock = clock;
    this.previews = new RulePreviews(store, previewTimeout);
  }

  void serve(RuleRegistry registry) {
    this.registry = registry;
  }

  /** A rule as the API answers it. */
  record RuleView(
      String id,
      String name,
      String tenant,
      String query,
      List<String> groupBy,
      int threshold,
      long windowSeconds,
      String severity,
      long suppressionSeconds,
      List<String> owasp,
      boolean enabled,
      int version,
      Optional<String> updatedBy,
      Optional<Instant> updatedAt) {
    static RuleView of(CustomRule r) {
      return new RuleView(
          r.id(),
          r.name(),
          r.tenant(),
          r.query(),
          r.groupBy(),
          r.threshold(),
          r.window().toSeconds(),
          r.severity().name().toLowerCase(Locale.ROOT),
          r.suppression().toSeconds(),
          r.owasp(),
          r.enabled(),
          r.version(),
          Optional.ofNullable(r.updatedBy()),
          Optional.ofNullable(r.updatedAt()));
    }
  }

  record RuleList(List<RuleView> rules) {}

  /**
   * A preview's answer: the rule as judged, the range, the matches judged, the alerts (listed up to
   * {@link #MAX_LISTED}, all counted), and whether the matches were more than one preview judges.
   */
  record Preview(
      String type,
      RuleView rule,
      Instant from,
      Instant to,
      long events,
      long raised,
      long suppressed,
      boolean listedAll,
      boolean judgedAll,
      List<RulePreview.Would> alerts) {}

  void list(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ADMIN, "api.rules.list");
    ctx.json(new RuleList(registry().visible(scope.caller()).stream().map(RuleView::of).toList()));
  }

  void one(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ADMIN, "api.rules.get");
    String id = ctx.pathParam("rule_id");
    ctx.json(RuleView.of(registry().get(scope.caller(), id).orElseThrow(() -> notFound(id))));
  }

  void put(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ADMIN, "api.rules.put");
    RuleRegistry r = registry();
    String id = ctx.pathParam("rule_id");
    CustomRule rule = checked(id, body(ctx));
    if (!RuleRegistry.covers(scope.caller(), rule)) {
      throw new ProblemException(
          403,
          "Forbidden",
          rule.tenant().equals(CustomRule.EVERY_TENANT)
              ? "a rule for every tenant needs a token over every tenant"
              : "tenant: not covered by the token");
    }
    switch (r.save(scope.caller(), rule)) {
      case RuleRegistry.Outcome.Saved s -> {
        ctx.status(s.created() ? 201 : 200);
        ctx.json(RuleView.of(s.rule()));
      }
      case RuleRegistry.Outcome.Conflict c -> throw conflict(id);
      case RuleRegistry.Outcome.Taken t ->
          throw new ProblemException(
              409, "Conflict", "id: another tenant's rule has this id; choose another");
      case RuleRegistry.Outcome.NotFound n -> throw notFound(id);
    }
  }

  void delete(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ADMIN, "api.rules.delete");
    String id = ctx.pathParam("rule_id");
    switch (registry().delete(scope.caller(), id)) {
      case RuleRegistry.Outcome.Saved s -> ctx.status(204);
      case RuleRegistry.Outcome.Conflict c -> throw conflict(id);
      default -> throw notFound(id);
    }
  }

  /**
   * {@code POST /rules/_preview}: {@code {"rule": {...}}} (a rule as {@code PUT} takes it), {@code
   * {"rule_id": "..."}} (a saved one), or {@code {"builtin": "DENY_BURST", "tenant": "...",
   * "threshold": N, "window_seconds": S, "suppression_seconds": S}}; the range is {@code from} and
   * {@code to}, as for a search.
   */
  void preview(Context ctx) {
    TenantScope asked = auth.require(ctx, Role.ANALYST, "api.rules.preview");
    Caller caller = asked.caller();
    TimeRange range = Params.range(ctx, clock);
    JsonNode body = body(ctx);
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!PREVIEW_FIELDS.contains(f)) {
        throw ProblemException.badRequest(
            Params.shown(f)
                + ": not a field of a preview (rule, rule_id, or builtin with tenant, threshold, window_seconds, suppression_seconds)");
      }
    }
    int given =
        (body.has("rule") ? 1 : 0) + (body.has("rule_id") ? 1 : 0) + (body.has("builtin") ? 1 : 0);
    if (given != 1) {
      throw ProblemException.badRequest("body: exactly one of rule, rule_id or builtin");
    }
    CustomRule rule;
    String type;
    RulePreview run;
    boolean decisionsOnly = false;
    if (body.has("builtin")) {
      type = AlertType.DENY_BURST.name();
      if (!type.equals(body.get("builtin").asText())) {
        throw ProblemException.badRequest(
            "builtin: only DENY_BURST can be previewed (the handle rules need the handle's whole history, which a range may cut)");
      }
      rule = denyBurst(body);
      Correlation.Spec spec =
          new Correlation.Spec(
              AlertType.DENY_BURST,
              null,
              rule.threshold(),
              rule.window().toMillis(),
              rule.suppression().toMillis());
      run = new RulePreview(spec, e -> e.path("actor").path("id").asText("-"), MAX_LISTED);
      decisionsOnly = true;
    } else if (body.has("rule_id")) {
      RuleRegistry r = registry();
      String id = body.get("rule_id").asText("");
      rule = r.get(caller, id).orElseThrow(() -> notFound(Params.shown(id)));
      type = AlertType.CUSTOM_RULE.name();
      run = RulePreview.of(rule, MAX_LISTED);
    } else {
      JsonNode r = body.get("rule");
      if (r instanceof ObjectNode o && !o.has("name")) {
        o.put("name", "preview");
      }
      rule = checked(r != null && r.hasNonNull("id") ? r.get("id").asText() : "preview", r);
      type = AlertType.CUSTOM_RULE.name();
      run = RulePreview.of(rule, MAX_LISTED);
    }
    TenantScope scope =
        rule.tenant().equals(CustomRule.EVERY_TENANT)
            ? asked.everyTenant()
            : TenantScope.of(caller, rule.tenant());
    RulePreviews.Run done = previews.run(scope, rule.query(), range, decisionsOnly, run);
    RulePreview p = done.preview();
    ctx.json(
        new Preview(
            type,
            RuleView.of(rule),
            range.from(),
            range.to(),
            p.events(),
            p.raised(),
            p.suppressed(),
            !p.truncated(),
            !done.stoppedEarly(),
            p.alerts()));
  }

  /** The built-in deny burst at the given thresholds, as a rule over decisions that deny. */
  private CustomRule denyBurst(JsonNode body) {
    ObjectNode r = EventCodec.mapper().createObjectNode();
    r.put("name", "DENY_BURST");
    r.set("tenant", body.get("tenant"));
    r.put("query", "decision:deny");
    r.putArray("group_by").add("actor.id");
    for (String f : List.of("threshold", "window_seconds", "suppression_seconds")) {
      if (body.has(f)) {
        r.set(f, body.get(f));
      }
    }
    if (!body.has("threshold")) {
      throw ProblemException.badRequest("threshold: the deny-burst threshold to preview");
    }
    return checked("deny-burst", r);
  }

  private static CustomRule checked(String id, JsonNode body) {
    try {
      return RuleCodec.fromRequest(id, body, TermPolicy.DEFAULT);
    } catch (RuleCodec.Rejected e) {
      List<Problem.FieldError> errors =
          e.errors().stream()
              .map(x -> new Problem.FieldError(x.pointer(), x.rule(), x.message()))
              .toList();
      ValidationError first = e.errors().get(0);
      throw new ProblemException(
          new Problem(
              "about:blank",
              "Bad Request",
              400,
              (first.pointer().isEmpty() ? "body" : first.pointer().substring(1))
                  + ": "
                  + first.message(),
              errors),
          Map.of());
    }
  }

  private static JsonNode body(Context ctx) {
    return Params.jsonObject(ctx, MAX_BODY, "rule", "a JSON object");
  }

  private RuleRegistry registry() {
    if (registry == null) {
      throw new ProblemException(
          503,
          "Service Unavailable",
          "alert rules are off here: the api has no stamp key (stamp.keys.<id>), and detectors apply only stamped rules");
    }
    return registry;
  }

  private static ProblemException notFound(String id) {
    return new ProblemException(
        404, "Not Found", "no rule " + Params.shown(id) + " among the tenants you read");
  }

  private static ProblemException conflict(String id) {
    return new ProblemException(
        409,
        "Conflict",
        "rule "
            + id
            + " was changed by someone else at the same time; read it again and decide again");
  }
}
