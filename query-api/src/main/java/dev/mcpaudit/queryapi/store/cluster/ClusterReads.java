package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.queryapi.search.SearchGate;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.QueryTimedOut;
import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.runtime.http.LogText;
import dev.mcpaudit.schema.event.EventCodec;
import java.time.Duration;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Every request the store sends to the cluster, under the request's deadline and the search
 * admission, as the Lucene store's reads are: the time left is sent along as the search's {@code
 * timeout} and {@code cancel_after_time_interval}, so the cluster itself stops the work, and an
 * answer that timed out or lost a shard is never passed off as complete. The one place the
 * cluster's errors become the store's.
 */
final class ClusterReads {
  private final Cluster cluster;
  private final Duration timeout;
  private final SearchGate gate;
  private final Supplier<Health> health;

  /**
   * @param gate admission for API requests; null runs work inline (tests, benchmarks)
   * @param health the cluster's health as last seen: while it is not ready (red: shards without a
   *     copy, whose events a search would silently leave out), nothing is asked of it
   */
  ClusterReads(Cluster cluster, Duration timeout, SearchGate gate, Supplier<Health> health) {
    this.cluster = cluster;
    this.timeout = timeout;
    this.gate = gate;
    this.health = health;
  }

  /** A search ({@code _search} on {@code indices}) with the request's time left. */
  SearchAnswer search(String indices, ObjectNode body) {
    return timed(
        left -> {
          body.put("timeout", left + "ms");
          return answer(
              send(
                  "POST",
                  "/"
                      + indices
                      + "/_search?ignore_unavailable=true&allow_no_indices=true"
                      + "&cancel_after_time_interval="
                      + left
                      + "ms",
                  body));
        });
  }

  /**
   * Several small searches on {@code indices} in one request ({@code _msearch}), answered in their
   * order, under the request's time left.
   */
  List<SearchAnswer> multiSearch(String indices, List<ObjectNode> bodies) {
    if (bodies.isEmpty()) {
      return List.of();
    }
    return timed(
        left -> {
          java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
          ObjectNode header =
              com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
          header.put("index", indices);
          header.put("ignore_unavailable", true);
          header.put("allow_no_indices", true);
          try {
            for (ObjectNode b : bodies) {
              b.put("timeout", left + "ms");
              lines.write(EventCodec.mapper().writeValueAsBytes(header));
              lines.write('\n');
              lines.write(EventCodec.mapper().writeValueAsBytes(b));
              lines.write('\n');
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          Cluster.Reply r = sendBytes("POST", "/_msearch", lines.toByteArray());
          JsonNode all = ok(r);
          List<SearchAnswer> out = new java.util.ArrayList<>(bodies.size());
          for (JsonNode one : all.path("responses")) {
            if (one.has("error")) {
              throw new IndexUnavailable(
                  "the OpenSearch cluster failed a search: "
                      + one.path("error").path("type").asText()
                      + " "
                      + one.path("error").path("reason").asText());
            }
            try {
              out.add(answer(new Cluster.Reply(200, EventCodec.mapper().writeValueAsBytes(one))));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
          return out;
        });
  }

  /** The exact number of matches of {@code query}, under the same deadline. */
  long count(String indices, ObjectNode query) {
    ObjectNode body = query.objectNode();
    body.put("size", 0);
    body.put("track_total_hits", true);
    body.set("query", query);
    return search(indices, body).total();
  }

  /**
   * A page of a stream (an export's pages): no time limit, as the Lucene store's exports have none,
   * but every other check.
   */
  SearchAnswer untimedSearch(ObjectNode body) {
    return answer(send("POST", "/_search", body));
  }

  /** Any other request (opening and closing a point in time), 2xx or a store error. */
  JsonNode call(String method, String path, ObjectNode body) {
    return ok(send(method, path, body));
  }

  /** CPU work on the search threads under the same admission (parsing {@code q}). */
  <T> T compute(Supplier<T> work) {
    return SearchGate.compute(gate, timeout, work, this::timedOut);
  }

  private <T> T timed(LongFunction<T> work) {
    return SearchGate.timed(gate, timeout, work, this::timedOut);
  }

  private Cluster.Reply send(String method, String path, ObjectNode body) {
    try {
      return sendBytes(
          method, path, body == null ? null : EventCodec.mapper().writeValueAsBytes(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Cluster.Reply sendBytes(String method, String path, byte[] body) {
    if (health.get() instanceof Health.NotReady(String reason)) {
      throw new IndexUnavailable(reason);
    }
    try {
      return cluster.send(method, path, body);
    } catch (ClusterException e) {
      throw new IndexUnavailable("the OpenSearch cluster cannot be reached: " + e.getMessage());
    }
  }

  private SearchAnswer answer(Cluster.Reply r) {
    if (!r.ok()) {
      ok(r); // throws the store's error
    }
    SearchAnswer a = SearchAnswer.read(r.body());
    if (a.meta().path("timed_out").asBoolean(false)) {
      throw timedOut();
    }
    failedShards(a.meta());
    return a;
  }

  /**
   * A shard that failed or timed out leaves an answer incomplete: counts and pages would be wrong
   * without saying so.
   */
  private static void failedShards(JsonNode json) {
    if (json.path("_shards").path("failed").asInt(0) > 0) {
      JsonNode reason = json.path("_shards").path("failures").path(0).path("reason");
      throw new IndexUnavailable(
          "the OpenSearch cluster answered from only some of its shards: "
              + LogText.of(
                  reason.path("type").asText() + " " + reason.path("reason").asText(), 200));
    }
  }

  private JsonNode ok(Cluster.Reply r) {
    if (r.ok()) {
      return r.json();
    }
    String error = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    if (error.contains("task_cancelled_exception") || error.contains("TaskCancelledException")) {
      throw timedOut();
    }
    if (r.status() == 400) {
      if (error.contains("too_many_clauses") || error.contains("too_many_nested_clauses")) {
        throw new InvalidQuery("q: the cluster counts too many clauses in this query; narrow it");
      }
      throw new InvalidQuery("q: the OpenSearch cluster refused the query: " + reason(r));
    }
    if (r.status() == 401 || r.status() == 403) {
      throw new IndexUnavailable(
          "the OpenSearch cluster refused the api's credentials (" + r.status() + ")");
    }
    throw new IndexUnavailable("the OpenSearch cluster answered " + reason(r));
  }

  /** The cluster's error type and reason, escaped and bounded as any echoed value. */
  private static String reason(Cluster.Reply r) {
    try {
      JsonNode e = r.json().path("error");
      // A search that failed on every shard says why per shard; the first one is named.
      JsonNode shard = e.path("failed_shards").path(0).path("reason");
      JsonNode root = e.path("root_cause").path(0);
      JsonNode why = !shard.isMissingNode() ? shard : root.isMissingNode() ? e : root;
      return LogText.of(
          r.status() + " " + why.path("type").asText() + ": " + why.path("reason").asText(), 300);
    } catch (RuntimeException notJson) {
      return r.status() + "";
    }
  }

  QueryTimedOut timedOut() {
    return new QueryTimedOut(timeout);
  }
}
