package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.queryapi.store.AlertFacets;
import dev.mcpaudit.queryapi.store.AlertPage;
import dev.mcpaudit.queryapi.store.AlertQuery;
import dev.mcpaudit.queryapi.store.AlertView;
import dev.mcpaudit.queryapi.store.AmbiguousEventId;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertStatus;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The alerts of the caller's tenants from the monthly alert indices, newest first, with their
 * workflow state, the counts by status and assignee, and the alert raised before each for the same
 * case (one {@code _msearch} for a page).
 */
final class ClusterAlertQueries {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String NO_ASSIGNEE = "\u0000none";

  private final ClusterReads reads;
  private final String alerts;

  ClusterAlertQueries(ClusterReads reads, String alertsPattern) {
    this.reads = reads;
    this.alerts = alertsPattern;
  }

  AlertPage search(TenantScope scope, AlertQuery r) {
    ObjectNode body = F.objectNode();
    body.set("query", QueryDsl.filter(base(scope, r).toArray(ObjectNode[]::new)));
    // The workflow filters apply to the hits only, so the counts show every status and assignee.
    List<ObjectNode> workflow = workflow(r);
    if (!workflow.isEmpty()) {
      body.set("post_filter", QueryDsl.filter(workflow.toArray(ObjectNode[]::new)));
    }
    body.put("size", r.limit());
    body.put("track_total_hits", true);
    sortNewestFirst(body);
    body.putArray("_source").add(DecisionMapping.ALERT).add(AlertFields.TRACK);
    ObjectNode aggs = body.putObject("aggs");
    aggs.putObject(AlertFields.STATUS)
        .putObject("terms")
        .put("field", AlertFields.STATUS)
        .put("missing", AlertStatus.OPEN.wire())
        .put("size", AlertStatus.values().length);
    aggs.putObject(AlertFields.ASSIGNEE)
        .putObject("terms")
        .put("field", AlertFields.ASSIGNEE)
        .put("missing", NO_ASSIGNEE)
        .put("size", AlertFacets.MAX_ASSIGNEES);
    SearchAnswer a = reads.search(alerts, body);
    List<JsonNode> found = new ArrayList<>(a.hits().size());
    List<AlertTrack> tracks = new ArrayList<>(a.hits().size());
    a.hits()
        .forEach(
            h -> {
              found.add(h.json());
              tracks.add(track(h));
            });
    List<AlertView.Previous> previous = previous(found);
    List<JsonNode> out = new ArrayList<>(found.size());
    for (int i = 0; i < found.size(); i++) {
      out.add(AlertView.of(found.get(i), tracks.get(i), previous.get(i), false));
    }
    return new AlertPage(a.total(), out, facets(a.aggregations()));
  }

  Optional<JsonNode> one(TenantScope scope, String alertId) {
    ObjectNode body = F.objectNode();
    body.set(
        "query",
        QueryDsl.filter(
            ClusterQueries.tenants(scope),
            QueryDsl.term(AlertFields.ALERT_ID, alertId),
            QueryDsl.not(QueryDsl.term(AlertFields.TRACK_ONLY, "true"))));
    body.put("size", 10);
    body.putArray("_source").add(DecisionMapping.ALERT).add(AlertFields.TRACK);
    SearchAnswer a = reads.search(alerts, body);
    if (a.hits().isEmpty()) {
      return Optional.empty();
    }
    if (a.hits().size() > 1) {
      TreeSet<String> tenants = new TreeSet<>();
      a.hits().forEach(h -> tenants.add(h.json().path(AlertFields.TENANT).asText()));
      throw new AmbiguousEventId("alert_id", alertId, tenants);
    }
    SearchAnswer.Hit h = a.hits().get(0);
    JsonNode alert = h.json();
    return Optional.of(AlertView.of(alert, track(h), previous(List.of(alert)).get(0), true));
  }

  private static List<ObjectNode> base(TenantScope scope, AlertQuery r) {
    List<ObjectNode> filters = new ArrayList<>();
    filters.add(ClusterQueries.tenants(scope));
    filters.add(
        QueryDsl.range(
            AlertFields.DETECTED_AT,
            r.range().from().toEpochMilli(),
            r.range().to().toEpochMilli() - 1));
    filters.add(QueryDsl.not(QueryDsl.term(AlertFields.TRACK_ONLY, "true")));
    term(filters, AlertFields.TYPE, r.type().map(AlertType::name));
    term(filters, AlertFields.SEVERITY, r.severity().map(Severity::wire));
    term(filters, AlertFields.HANDLE, r.handle());
    term(filters, AlertFields.ACTOR, r.actor());
    term(filters, AlertFields.EVIDENCE, r.event());
    return filters;
  }

  private static List<ObjectNode> workflow(AlertQuery r) {
    List<ObjectNode> filters = new ArrayList<>();
    r.status()
        .ifPresent(
            s -> {
              if (s == AlertStatus.OPEN) {
                // An alert nobody changed may have no status field: it is open.
                ObjectNode other = F.objectNode();
                ArrayNode values = other.putObject("terms").putArray(AlertFields.STATUS);
                for (AlertStatus x : AlertStatus.values()) {
                  if (x != AlertStatus.OPEN) {
                    values.add(x.wire());
                  }
                }
                filters.add(QueryDsl.not(other));
              } else {
                filters.add(QueryDsl.term(AlertFields.STATUS, s.wire()));
              }
            });
    r.assignee()
        .ifPresent(
            who -> {
              if (who.equals(AlertQuery.UNASSIGNED)) {
                ObjectNode exists = F.objectNode();
                exists.putObject("exists").put("field", AlertFields.ASSIGNEE);
                filters.add(QueryDsl.not(exists));
              } else {
                filters.add(QueryDsl.term(AlertFields.ASSIGNEE, who));
              }
            });
    return filters;
  }

  /** For each alert, the newest earlier one of the same tenant, type and subject, or null. */
  private List<AlertView.Previous> previous(List<JsonNode> found) {
    List<ObjectNode> searches = new ArrayList<>(found.size());
    for (JsonNode alert : found) {
      ObjectNode body = F.objectNode();
      long at = Instant.parse(alert.path(AlertFields.DETECTED_AT).asText()).toEpochMilli();
      body.set(
          "query",
          QueryDsl.filter(
              QueryDsl.term(AlertFields.TENANT, alert.path(AlertFields.TENANT).asText()),
              QueryDsl.term(AlertFields.TYPE, alert.path(AlertFields.TYPE).asText()),
              QueryDsl.term(AlertFields.SUBJECT, alert.path(AlertFields.SUBJECT).asText()),
              QueryDsl.range(AlertFields.DETECTED_AT, Long.MIN_VALUE, at - 1),
              QueryDsl.not(QueryDsl.term(AlertFields.TRACK_ONLY, "true"))));
      body.put("size", 1);
      sortNewestFirst(body);
      body.putArray("_source").add(DecisionMapping.ALERT).add(AlertFields.TRACK);
      searches.add(body);
    }
    List<AlertView.Previous> out = new ArrayList<>(found.size());
    for (SearchAnswer a : reads.multiSearch(alerts, searches)) {
      if (a.hits().isEmpty()) {
        out.add(null);
      } else {
        SearchAnswer.Hit h = a.hits().get(0);
        JsonNode earlier = h.json();
        out.add(
            new AlertView.Previous(
                earlier.path(AlertFields.ALERT_ID).asText(),
                Instant.parse(earlier.path(AlertFields.DETECTED_AT).asText()),
                track(h)));
      }
    }
    return out;
  }

  private static AlertTrack track(SearchAnswer.Hit h) {
    String t = h.fields().get(AlertFields.TRACK);
    return t == null ? AlertTrack.NEW : AlertChangeCodec.track(t.getBytes(StandardCharsets.UTF_8));
  }

  private static AlertFacets facets(JsonNode aggs) {
    Map<String, Long> status = new HashMap<>();
    aggs.path(AlertFields.STATUS)
        .path("buckets")
        .forEach(b -> status.put(b.path("key").asText(), b.path("doc_count").asLong()));
    Map<String, Long> assignee = new HashMap<>();
    aggs.path(AlertFields.ASSIGNEE)
        .path("buckets")
        .forEach(
            b -> {
              String key = b.path("key").asText();
              assignee.put(key.equals(NO_ASSIGNEE) ? null : key, b.path("doc_count").asLong());
            });
    return AlertFacets.of(status, assignee);
  }

  private static void sortNewestFirst(ObjectNode body) {
    ArrayNode sort = body.putArray("sort");
    sort.addObject().putObject(AlertFields.DETECTED_AT).put("order", "desc");
    // Alerts of one millisecond in one fixed order, whichever replica answers.
    sort.addObject().putObject(AlertFields.ALERT_ID).put("order", "asc");
  }

  private static void term(List<ObjectNode> filters, String field, Optional<String> value) {
    value.filter(v -> !v.isBlank()).ifPresent(v -> filters.add(QueryDsl.term(field, v)));
  }
}
