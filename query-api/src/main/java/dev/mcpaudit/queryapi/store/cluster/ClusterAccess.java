package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.queryapi.store.AccessReport;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * "What did this agent (or this user's agents) access?" with the cluster's aggregations: totals in
 * one request, then tools (named, and those known only by their resource), handles and deny reasons
 * each as a composite aggregation walked page by page up to the cap, so the answer is as exact and
 * as bounded as the Lucene store's.
 */
final class ClusterAccess {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final ClusterReads reads;
  private final String decisions;
  private final int cap;

  ClusterAccess(ClusterReads reads, String decisionsPattern, int distinctCap) {
    this.reads = reads;
    this.decisions = decisionsPattern;
    this.cap = distinctCap;
  }

  AccessReport summarize(
      TenantScope scope, AccessReport.Subject subject, String value, TimeRange range) {
    String field = subject.field();
    ObjectNode query =
        QueryDsl.filter(
            QueryDsl.term(field, value),
            ClusterQueries.decisionsOnly(),
            ClusterQueries.window(range),
            ClusterQueries.tenants(scope));
    ObjectNode body = F.objectNode();
    body.put("size", 0);
    body.put("track_total_hits", true);
    body.set("query", query);
    ObjectNode aggs = body.putObject("aggs");
    aggs.set("allow", ClusterStats.filter(allow()));
    aggs.set("with_handle", ClusterStats.filter(exists(IndexSchema.HANDLE_ID)));
    SearchAnswer totals = reads.search(decisions, body);
    long total = totals.total();
    long allow = totals.aggregations().path("allow").path("doc_count").asLong();
    long withHandle = totals.aggregations().path("with_handle").path("doc_count").asLong();

    List<AccessReport.ToolUse> tools = new ArrayList<>();
    long[] toolDecisions = {0};
    ObjectNode toolAggs = toolAggs();
    for (boolean named : new boolean[] {true, false}) {
      ObjectNode q =
          named
              ? QueryDsl.filter(query, exists(IndexSchema.TOOL_NAME))
              : QueryDsl.filter(query, QueryDsl.not(exists(IndexSchema.TOOL_NAME)));
      String display = named ? IndexSchema.TOOL_NAME : IndexSchema.TOOL_RESOURCE;
      Composite.walk(
          reads,
          decisions,
          q,
          Composite.of(
              toolAggs,
              Composite.source("s", IndexSchema.TOOL_SERVER),
              Composite.source("m", IndexSchema.TOOL_METHOD),
              Composite.source("n", display)),
          b -> {
            if (tools.size() >= cap) {
              return false;
            }
            long n = b.path("doc_count").asLong();
            long a = b.path("allow").path("doc_count").asLong();
            toolDecisions[0] += n;
            tools.add(
                new AccessReport.ToolUse(
                    Composite.key(b, "s"),
                    Composite.key(b, "m"),
                    Composite.key(b, "n"),
                    a,
                    n - a,
                    time(b.path("first")),
                    time(b.path("last")),
                    keys(b.path("resources")),
                    keys(b.path("handles")),
                    (int) b.path("resource_count").path("value").asLong(),
                    (int) b.path("handle_count").path("value").asLong()));
            return true;
          });
    }
    tools.sort(
        Comparator.comparingLong((AccessReport.ToolUse t) -> -(t.allow() + t.deny()))
            .thenComparing(AccessReport.ToolUse::server, Comparator.nullsFirst(String::compareTo))
            .thenComparing(AccessReport.ToolUse::method, Comparator.nullsFirst(String::compareTo))
            .thenComparing(AccessReport.ToolUse::name, Comparator.nullsFirst(String::compareTo)));

    List<AccessReport.HandleUse> handles = new ArrayList<>();
    long[] handleDecisions = {0};
    ObjectNode handleAggs = F.objectNode();
    handleAggs.set("first", minMax("min"));
    handleAggs.set("last", minMax("max"));
    Composite.walk(
        reads,
        decisions,
        QueryDsl.filter(query, exists(IndexSchema.HANDLE_ID)),
        Composite.of(handleAggs, Composite.source("h", IndexSchema.HANDLE_ID)),
        b -> {
          if (handles.size() >= cap) {
            return false;
          }
          long n = b.path("doc_count").asLong();
          handleDecisions[0] += n;
          handles.add(
              new AccessReport.HandleUse(
                  Composite.key(b, "h"), n, time(b.path("first")), time(b.path("last"))));
          return true;
        });
    handles.sort(
        Comparator.comparingLong((AccessReport.HandleUse h) -> -h.decisions())
            .thenComparing(AccessReport.HandleUse::id));

    TreeMap<String, Long> denyReasons = new TreeMap<>();
    Composite.walk(
        reads,
        decisions,
        QueryDsl.filter(query, QueryDsl.not(allow()), exists(IndexSchema.REASON_CODE)),
        Composite.of(null, Composite.source("r", IndexSchema.REASON_CODE)),
        b -> {
          denyReasons.put(Composite.key(b, "r"), b.path("doc_count").asLong());
          return denyReasons.size() < cap;
        });

    long toolsOmitted = total - toolDecisions[0];
    long handlesOmitted = withHandle - handleDecisions[0];
    boolean omitted = toolsOmitted > 0 || handlesOmitted > 0;
    return new AccessReport(
        subject == AccessReport.Subject.ACTOR ? Optional.of(value) : Optional.empty(),
        subject == AccessReport.Subject.ON_BEHALF_OF ? Optional.of(value) : Optional.empty(),
        range.from(),
        range.to(),
        new AccessReport.Totals(total, allow, total - allow),
        tools,
        denyReasons,
        handles,
        omitted
            ? Optional.of(new AccessReport.Omitted(cap, toolsOmitted, handlesOmitted))
            : Optional.empty());
  }

  /** Per tool: allow count, first and last use, the first resources and handles and how many. */
  private static ObjectNode toolAggs() {
    ObjectNode aggs = F.objectNode();
    aggs.set("allow", ClusterStats.filter(allow()));
    aggs.set("first", minMax("min"));
    aggs.set("last", minMax("max"));
    for (String[] f :
        new String[][] {
          {"resources", "resource_count", IndexSchema.TOOL_RESOURCE},
          {"handles", "handle_count", IndexSchema.HANDLE_ID}
        }) {
      ObjectNode terms = aggs.putObject(f[0]).putObject("terms");
      terms.put("field", DecisionMapping.path(f[2]));
      terms.put("size", AccessReport.MAX_LISTED_PER_TOOL);
      terms.putObject("order").put("_key", "asc");
      aggs.putObject(f[1])
          .putObject("cardinality")
          .put("field", DecisionMapping.path(f[2]))
          .put("precision_threshold", 40_000);
    }
    return aggs;
  }

  private static ObjectNode allow() {
    return QueryDsl.term(IndexSchema.DECISION, "allow");
  }

  static ObjectNode exists(String luceneField) {
    ObjectNode n = F.objectNode();
    n.putObject("exists").put("field", DecisionMapping.path(luceneField));
    return n;
  }

  static ObjectNode minMax(String which) {
    ObjectNode n = F.objectNode();
    n.putObject(which).put("field", IndexSchema.OCCURRED_AT);
    return n;
  }

  static Instant time(JsonNode agg) {
    return Instant.ofEpochMilli(agg.path("value").asLong());
  }

  static List<String> keys(JsonNode terms) {
    List<String> out = new ArrayList<>();
    terms.path("buckets").forEach(b -> out.add(b.path("key").asText()));
    return out;
  }
}
