package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.store.Histogram;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.Saturating;
import dev.mcpaudit.queryapi.store.TopValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Top values and histograms with the cluster's aggregations, exact as the Lucene store's. */
final class ClusterStats {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final ClusterReads reads;
  private final String decisions;
  private final int maxValues;

  ClusterStats(ClusterReads reads, String decisionsPattern, int maxValues) {
    this.reads = reads;
    this.decisions = decisionsPattern;
    this.maxValues = maxValues;
  }

  /**
   * Every value counted (a composite aggregation, page by page), then the {@code size} most
   * frequent kept: exact, and refused past {@code maxValues} distinct values as the Lucene store
   * refuses them.
   */
  TopValues top(ObjectNode query, String field, int size) {
    ObjectNode aggs = F.objectNode();
    aggs.set("allow", filter(QueryDsl.term(IndexSchema.DECISION, "allow")));
    aggs.set("deny", filter(QueryDsl.term(IndexSchema.DECISION, "deny")));
    List<TopValues.Bucket> all = new ArrayList<>();
    Composite.walk(
        reads,
        decisions,
        query,
        Composite.of(aggs, Composite.source("v", field)),
        b -> {
          String v = Composite.key(b, "v");
          if (v == null) {
            return true; // events without the field are not a value
          }
          if (all.size() >= maxValues) {
            throw new InvalidQuery(
                "field: more than "
                    + maxValues
                    + " distinct values match; narrow the query or the time range");
          }
          all.add(
              new TopValues.Bucket(
                  v,
                  b.path("doc_count").asLong(),
                  b.path("allow").path("doc_count").asLong(),
                  b.path("deny").path("doc_count").asLong()));
          return true;
        });
    return new TopValues(
        field,
        all.stream()
            .sorted(
                Comparator.comparingLong((TopValues.Bucket b) -> -b.count())
                    .thenComparing(TopValues.Bucket::value))
            .limit(size)
            .toList());
  }

  /**
   * Decisions per bucket from {@code from}: one range per bucket, the last open-ended (every
   * decision past the last bucket's start counts in it, as in the Lucene store), and when the first
   * and last counted decision happened.
   */
  Histogram histogram(ObjectNode decisionsQuery, long from, long interval, int n) {
    ObjectNode body = F.objectNode();
    body.put("size", 0);
    body.set("query", decisionsQuery);
    ObjectNode aggs = body.putObject("aggs");
    ObjectNode range = aggs.putObject("buckets").putObject("range");
    range.put("field", IndexSchema.OCCURRED_AT).put("keyed", false);
    ArrayNode ranges = range.putArray("ranges");
    int sent = 0;
    for (int i = 0; i < n; i++) {
      long start = Saturating.add(from, Saturating.multiply(i, interval));
      if (start > QueryDsl.MAX_TIME) {
        break; // no event can be this late; the bucket stays empty
      }
      ObjectNode r = ranges.addObject().put("from", Math.max(start, QueryDsl.MIN_TIME));
      long end = Saturating.add(start, interval);
      if (i < n - 1 && end <= QueryDsl.MAX_TIME) {
        r.put("to", end);
      }
      sent++;
    }
    ((ObjectNode) aggs.get("buckets"))
        .putObject("aggs")
        .set("allow", filter(QueryDsl.term(IndexSchema.DECISION, "allow")));
    aggs.putObject("first").putObject("min").put("field", IndexSchema.OCCURRED_AT);
    aggs.putObject("last").putObject("max").put("field", IndexSchema.OCCURRED_AT);
    JsonNode a = reads.search(decisions, body).aggregations();
    List<Histogram.Bucket> buckets = new ArrayList<>(n);
    JsonNode got = a.path("buckets").path("buckets");
    for (int i = 0; i < n; i++) {
      long start = Saturating.add(from, Saturating.multiply(i, interval));
      long allow = 0;
      long deny = 0;
      if (i < sent) {
        JsonNode b = got.path(i);
        allow = b.path("allow").path("doc_count").asLong();
        deny = b.path("doc_count").asLong() - allow;
      }
      buckets.add(new Histogram.Bucket(start, allow, deny));
    }
    return new Histogram(interval, buckets, time(a.path("first")), time(a.path("last")));
  }

  private static Optional<Instant> time(JsonNode agg) {
    JsonNode v = agg.path("value");
    return v.isNumber() ? Optional.of(Instant.ofEpochMilli(v.asLong())) : Optional.empty();
  }

  static ObjectNode filter(ObjectNode query) {
    ObjectNode f = F.objectNode();
    f.set("filter", query);
    return f;
  }
}
