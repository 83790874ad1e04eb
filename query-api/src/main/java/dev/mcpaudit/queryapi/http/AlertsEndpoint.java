package dev.mcpaudit.queryapi.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.AlertPage;
import dev.mcpaudit.queryapi.store.AlertQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.triage.AlertTriage;
import dev.mcpaudit.queryapi.triage.Patch;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertStatus;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.CloseReason;
import dev.mcpaudit.schema.alert.Severity;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * {@code /api/v1/alerts}: the list (newest first, with evidence ids, workflow state and counts by
 * status and assignee), one alert with its history, and the analyst's changes: one alert ({@code
 * PATCH}, with {@code If-Match}) or every alert a filter matches ({@code POST .../_update}).
 */
final class AlertsEndpoint {
  /** Largest change body: a note and a few fields, or a selection of ids. */
  private static final int MAX_BODY = 64 * 1024;

  private final ApiAuth auth;
  private final EventStore store;
  private final Clock clock;
  private AlertTriage triage;
  private static final String NO_TRIAGE =
      "this api cannot change alerts: it has no stamp key (stamp.keys.<id>), and the indexer"
          + " applies only stamped changes (docs/alerts.md)";

  AlertsEndpoint(ApiAuth auth, EventStore store, Clock clock) {
    this.auth = auth;
    this.store = store;
    this.clock = clock;
  }

  void triage(AlertTriage triage) {
    this.triage = triage;
  }

  void list(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.alerts.search");
    ctx.json(
        store.alerts(
            scope,
            query(ctx, Params.whole("limit", ctx.queryParam("limit"), 100, AlertQuery.MAX_LIMIT))));
  }

  void one(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.alerts.get");
    String id = alertId(ctx);
    JsonNode alert = store.alert(scope, id).orElseThrow(() -> notFound(id));
    ctx.header("ETag", etag(alert.path("state").path("version").asInt()));
    if (alert instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
      // Where its evidence is proven (auditors; README, "Evidence bundles").
      o.putObject("_links")
          .put(
              "evidence_bundle",
              "/api/v1/evidence/export?tenant="
                  + java.net.URLEncoder.encode(
                      alert.path("tenant").asText(), java.nio.charset.StandardCharsets.UTF_8)
                  + "&alert="
                  + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8));
    }
    ctx.json(alert);
  }

  /** {@code PATCH /alerts/{alert_id}}. */
  void update(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.alerts.update");
    AlertTriage t = triage();
    String id = alertId(ctx);
    Body body = body(ctx, true);
    OptionalInt ifMatch = ifMatch(ctx.header("If-Match"));
    if (body.version().isPresent()) {
      if (ifMatch.isPresent() && ifMatch.getAsInt() != body.version().getAsInt()) {
        throw ProblemException.badRequest("version: differs from If-Match");
      }
      ifMatch = body.version();
    }
    // Read in the caller's scope first: another tenant's alert is not found, as in a search.
    JsonNode alert = store.alert(scope, id).orElseThrow(() -> notFound(id));
    AlertTriage.Outcome o = t.change(scope.caller().principal(), alert, body.patch(), ifMatch);
    ctx.header("ETag", etag(o.version()));
    if (o instanceof AlertTriage.Outcome.Conflict c) {
      throw new ProblemException(
          Problem.of(
              409,
              "Conflict",
              "the alert is at version "
                  + c.version()
                  + " (status "
                  + c.state().status().wire()
                  + "), not the one named; read it again and decide again"),
          Map.of("ETag", etag(c.version())));
    }
    ctx.json(
        new Changed(
            alert.path("tenant").asText(),
            id,
            o instanceof AlertTriage.Outcome.Changed,
            o.version(),
            AlertChangeCodec.json(o.state())));
  }

  /** {@code POST /alerts/_update}: the filters of the list, the change in the body. */
  void updateAll(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.ANALYST, "api.alerts.bulk-update");
    AlertTriage t = triage();
    Body body = body(ctx, false);
    AlertQuery q = query(ctx, AlertQuery.MAX_BULK);
    AlertPage page = store.alerts(scope, q);
    if (page.total() > AlertQuery.MAX_BULK) {
      throw ProblemException.badRequest(
          "the filters match "
              + page.total()
              + " alerts; one bulk change takes at most "
              + AlertQuery.MAX_BULK
              + ": narrow them");
    }
    List<JsonNode> chosen = page.alerts();
    if (body.ids().isPresent()) {
      Set<String> ids = body.ids().get();
      chosen = chosen.stream().filter(a -> ids.contains(a.path("alert_id").asText())).toList();
    }
    ctx.json(t.changeAll(scope.caller().principal(), chosen, body.patch()));
  }

  /** The answer to a change of one alert. */
  record Changed(
      String tenant,
      String alertId,
      boolean changed,
      int version,
      com.fasterxml.jackson.databind.node.ObjectNode state) {}

  /** The writer, or 503 saying why there is none; a writer still starting waits in its sync. */
  private AlertTriage triage() {
    if (triage == null) {
      throw new IndexUnavailable(NO_TRIAGE);
    }
    return triage;
  }

  private AlertQuery query(Context ctx, int limit) {
    return new AlertQuery(
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
        choice(
            "status", ctx.queryParam("status"), AlertStatus.class, "open, acknowledged or closed"),
        assigneeFilter(ctx.queryParam("assignee")),
        limit);
  }

  /** {@code none} lists the alerts nobody is assigned. */
  private static Optional<String> assigneeFilter(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    if (text.equals("none")) {
      return Optional.of(AlertQuery.UNASSIGNED);
    }
    return Optional.of(assignee("assignee", text));
  }

  private static String assignee(String field, String text) {
    if (!AlertChangeCodec.ASSIGNEE.matcher(text).matches() || text.equals("none")) {
      throw ProblemException.badRequest(
          field
              + ": a principal name of 1-128 characters A-Z a-z 0-9 . _ @ : / + = ~ - (not 'none'),"
              + " got '"
              + Params.shown(text)
              + "'");
    }
    return text;
  }

  private static String alertId(Context ctx) {
    String id = Params.eventId("alert_id", ctx.pathParam("alert_id"));
    if (id == null) {
      throw ProblemException.badRequest("alert_id: required");
    }
    return id;
  }

  private static ProblemException notFound(String id) {
    return new ProblemException(404, "Not Found", "no alert " + id + " in the tenants you read");
  }

  static String etag(int version) {
    return "\"" + version + "\"";
  }

  /** {@code If-Match: "3"} (as sent in ETag); {@code *} or none: any version. */
  static OptionalInt ifMatch(String header) {
    if (header == null || header.isBlank() || header.strip().equals("*")) {
      return OptionalInt.empty();
    }
    String v = header.strip();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= 0 && v.length() <= 6) {
        return OptionalInt.of(n);
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ProblemException.badRequest(
        "If-Match: the alert's version as its ETag gives it (\"3\"), got '"
            + Params.shown(header)
            + "'");
  }

  private record Body(Patch patch, OptionalInt version, Optional<Set<String>> ids) {}

  private static final Set<String> FIELDS =
      Set.of("status", "assignee", "close_reason", "note", "version", "alert_ids");

  /** The change asked for, each field checked and a wrong one named. */
  private static Body body(Context ctx, boolean one) {
    JsonNode n =
        Params.jsonObject(
            ctx, MAX_BODY, "change", "a JSON object with status, assignee, close_reason, note");
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f) || (one && f.equals("alert_ids")) || (!one && f.equals("version"))) {
        throw ProblemException.badRequest(
            Params.shown(f)
                + ": not a field of a change (status, assignee, close_reason, note"
                + (one ? ", version" : ", alert_ids")
                + ")");
      }
    }
    AlertStatus status = enumField(n, "status", AlertStatus::parse, "open, acknowledged or closed");
    CloseReason reason =
        enumField(
            n,
            "close_reason",
            CloseReason::parse,
            "true_positive, false_positive, benign, duplicate or other");
    boolean assign = n.has("assignee");
    String assignee = null;
    if (assign && !n.get("assignee").isNull()) {
      if (!n.get("assignee").isTextual()) {
        throw ProblemException.badRequest("assignee: a principal name, or null to unassign");
      }
      assignee = assignee("assignee", n.get("assignee").textValue());
    }
    String note = null;
    if (n.hasNonNull("note")) {
      JsonNode v = n.get("note");
      if (!v.isTextual() || v.textValue().isBlank()) {
        throw ProblemException.badRequest("note: text");
      }
      note = v.textValue();
      if (note.length() > AlertChangeCodec.MAX_NOTE) {
        throw ProblemException.badRequest(
            "note: at most " + AlertChangeCodec.MAX_NOTE + " characters, got " + note.length());
      }
      if (note.chars().anyMatch(c -> (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)) {
        throw ProblemException.badRequest(
            "note: control characters other than line breaks and tabs");
      }
    }
    OptionalInt version = OptionalInt.empty();
    if (n.has("version")) {
      if (!n.get("version").isInt() || n.get("version").intValue() < 0) {
        throw ProblemException.badRequest("version: the alert's version, a whole number");
      }
      version = OptionalInt.of(n.get("version").intValue());
    }
    Optional<Set<String>> ids = Optional.empty();
    if (n.has("alert_ids")) {
      JsonNode a = n.get("alert_ids");
      if (!a.isArray() || a.isEmpty() || a.size() > AlertQuery.MAX_LIMIT) {
        throw ProblemException.badRequest(
            "alert_ids: a list of 1-" + AlertQuery.MAX_LIMIT + " alert ids");
      }
      Set<String> set = new HashSet<>();
      List<String> bad = new ArrayList<>();
      a.forEach(
          x -> {
            if (!x.isTextual() || Params.eventIdOrNull(x.textValue()) == null) {
              bad.add(x.toString());
            } else {
              set.add(x.textValue());
            }
          });
      if (!bad.isEmpty()) {
        throw ProblemException.badRequest(
            "alert_ids: not an alert id: '" + Params.shown(bad.get(0)) + "'");
      }
      ids = Optional.of(set);
    }
    Patch patch = new Patch(status, assign, assignee, reason, note);
    if (patch.empty()) {
      throw ProblemException.badRequest(
          "body: nothing to change; give status, assignee, close_reason or note");
    }
    return new Body(patch, version, ids);
  }

  private static <E> E enumField(
      JsonNode n,
      String field,
      java.util.function.Function<String, Optional<E>> parse,
      String expected) {
    if (!n.hasNonNull(field)) {
      return null;
    }
    JsonNode v = n.get(field);
    return (v.isTextual() ? parse.apply(v.textValue()) : Optional.<E>empty())
        .orElseThrow(
            () ->
                ProblemException.badRequest(
                    field
                        + ": expected "
                        + expected
                        + ", got '"
                        + Params.shown(v.toString())
                        + "'"));
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
