package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.opensearch.DecisionMapping;
import java.util.function.Predicate;

/**
 * Every bucket of a composite aggregation, page by page: exact counts for any number of values (a
 * {@code terms} aggregation is exact only when every shard returns every value, and the cluster
 * caps buckets per request). The caller stops when it has enough.
 */
final class Composite {
  static final int PAGE = 1_000;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Composite() {}

  /** A keyword source of a composite aggregation, by Lucene field name; missing values kept. */
  static ObjectNode source(String name, String luceneField) {
    ObjectNode s = F.objectNode();
    s.putObject(name)
        .putObject("terms")
        .put("field", DecisionMapping.path(luceneField))
        .put("missing_bucket", true);
    return s;
  }

  /**
   * Runs {@code composite} (an aggregation body with {@code sources}, and {@code aggs} when wanted)
   * over {@code query} and hands each bucket to {@code each} until it says stop or the buckets end.
   *
   * @param each takes a bucket ({@code key}, {@code doc_count}, sub-aggregations); false stops
   */
  static void walk(
      ClusterReads reads,
      String indices,
      ObjectNode query,
      ObjectNode composite,
      Predicate<JsonNode> each) {
    JsonNode after = null;
    while (true) {
      ObjectNode body = F.objectNode();
      body.put("size", 0);
      body.set("query", query);
      ObjectNode agg = composite.deepCopy();
      ObjectNode c = (ObjectNode) agg.get("composite");
      c.put("size", PAGE);
      if (after != null) {
        c.set("after", after);
      }
      body.putObject("aggs").set("all", agg);
      JsonNode result = reads.search(indices, body).aggregations().path("all");
      JsonNode buckets = result.path("buckets");
      for (JsonNode b : buckets) {
        if (!each.test(b)) {
          return;
        }
      }
      after = result.get("after_key");
      if (after == null || buckets.size() < PAGE) {
        return;
      }
    }
  }

  /** A composite aggregation body over {@code sources}, with {@code aggs} (or none). */
  static ObjectNode of(ObjectNode aggs, ObjectNode... sources) {
    ObjectNode agg = F.objectNode();
    var list = agg.putObject("composite").putArray("sources");
    for (ObjectNode s : sources) {
      list.add(s);
    }
    if (aggs != null) {
      agg.set("aggs", aggs);
    }
    return agg;
  }

  /** A key's value: null for the missing bucket. */
  static String key(JsonNode bucket, String name) {
    JsonNode v = bucket.path("key").path(name);
    return v.isNull() || v.isMissingNode() ? null : v.asText();
  }
}
