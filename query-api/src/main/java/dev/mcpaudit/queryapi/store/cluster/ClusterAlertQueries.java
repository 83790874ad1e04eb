package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.queryapi.store.AlertPage;
import dev.mcpaudit.queryapi.store.AlertQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The alerts of the caller's tenants from the monthly alert indices, newest first. */
final class ClusterAlertQueries {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final ClusterReads reads;
  private final String alerts;

  ClusterAlertQueries(ClusterReads reads, String alertsPattern) {
    this.reads = reads;
    this.alerts = alertsPattern;
  }

  AlertPage search(TenantScope scope, AlertQuery r) {
    List<ObjectNode> filters = new ArrayList<>();
    filters.add(ClusterQueries.tenants(scope));
    filters.add(
        QueryDsl.range(
            AlertFields.DETECTED_AT,
            r.range().from().toEpochMilli(),
            r.range().to().toEpochMilli() - 1));
    term(filters, AlertFields.TYPE, r.type().map(AlertType::name));
    term(filters, AlertFields.SEVERITY, r.severity().map(Severity::wire));
    term(filters, AlertFields.HANDLE, r.handle());
    term(filters, AlertFields.ACTOR, r.actor());
    term(filters, AlertFields.EVIDENCE, r.event());
    ObjectNode body = F.objectNode();
    body.set("query", QueryDsl.filter(filters.toArray(ObjectNode[]::new)));
    body.put("size", r.limit());
    body.put("track_total_hits", true);
    ArrayNode sort = body.putArray("sort");
    sort.addObject().putObject(AlertFields.DETECTED_AT).put("order", "desc");
    // Alerts of one millisecond in one fixed order, whichever replica answers.
    sort.addObject().putObject(AlertFields.ALERT_ID).put("order", "asc");
    body.putArray("_source").add(DecisionMapping.ALERT);
    SearchAnswer a = reads.search(alerts, body);
    List<JsonNode> out = new ArrayList<>(a.hits().size());
    a.hits().forEach(h -> out.add(h.json()));
    return new AlertPage(a.total(), out);
  }

  private static void term(List<ObjectNode> filters, String field, Optional<String> value) {
    value.filter(v -> !v.isBlank()).ifPresent(v -> filters.add(QueryDsl.term(field, v)));
  }
}
