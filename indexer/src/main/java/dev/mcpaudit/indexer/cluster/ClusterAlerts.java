package dev.mcpaudit.indexer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.indexer.alerts.AlertStore;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.opensearch.Documents;
import dev.mcpaudit.opensearch.IndexNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The alerts indices of the cluster ({@code <prefix>-alerts-YYYY.MM}, by detection time), one
 * document per (tenant, alert_id) created with {@code op_type=create}. Alerts are rare: each is
 * looked up across every month and written on its own. Offsets stay with Kafka's group.
 */
public final class ClusterAlerts implements AlertStore {
  private final Cluster cluster;
  private final IndexNames names;
  private volatile boolean closed;
  private volatile String unavailable;

  public ClusterAlerts(Cluster cluster) {
    this.cluster = cluster;
    this.names = cluster.names();
  }

  @Override
  public Optional<Map<String, Long>> storedOffsets() {
    return Optional.empty();
  }

  @Override
  public byte[] find(String tenant, String alertId) throws IOException {
    ObjectNode search = JsonNodeFactory.instance.objectNode();
    search.put("size", 1);
    search.putArray("_source").add(DecisionMapping.ALERT);
    search
        .putObject("query")
        .putObject("ids")
        .putArray("values")
        .add(IndexNames.documentId(tenant, alertId));
    JsonNode hits =
        call(
                "POST",
                "/"
                    + names.alertsPattern()
                    + "/_search?ignore_unavailable=true&allow_no_indices=true",
                search)
            .path("hits")
            .path("hits");
    return hits.isEmpty()
        ? null
        : hits.get(0)
            .path("_source")
            .path(DecisionMapping.ALERT)
            .toString()
            .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void add(JsonNode alert, byte[] json) throws IOException {
    String index = names.alertsIndex(Instant.parse(alert.path(AlertFields.DETECTED_AT).asText()));
    String id =
        IndexNames.documentId(
            alert.path(AlertFields.TENANT).asText(), alert.path(AlertFields.ALERT_ID).asText());
    byte[] doc = Documents.alert(alert, json);
    Cluster.Reply r = waitingSend("PUT", "/" + index + "/_create/" + id, doc);
    // 409: another indexer recorded it first; the first version stays the record.
    if (!r.ok() && r.status() != 409) {
      throw new IOException("alert not indexed: " + r.error());
    }
  }

  /** Makes the alerts written so far searchable, so {@link #find} sees them from now on. */
  @Override
  public void commit(Map<String, Long> nextOffsets) throws IOException {
    call(
        "POST",
        "/" + names.alertsPattern() + "/_refresh?ignore_unavailable=true&allow_no_indices=true",
        null);
  }

  private JsonNode call(String method, String path, JsonNode body) throws IOException {
    try {
      Cluster.Reply r =
          waitingSend(
              method,
              path,
              body == null
                  ? null
                  : dev.mcpaudit.schema.event.EventCodec.mapper().writeValueAsBytes(body));
      if (!r.ok()) {
        throw new IOException(method + " " + path + " failed: " + r.error());
      }
      return r.json();
    } catch (ClusterException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Sends until the cluster can answer: unreachable or busy (429, 5xx) is waited out with backoff,
   * so a cluster restart pauses alert indexing instead of ending it.
   */
  private Cluster.Reply waitingSend(String method, String path, byte[] body) throws IOException {
    long backoff = 200;
    while (true) {
      String why;
      try {
        Cluster.Reply r = cluster.send(method, path, body);
        if (r.status() != 429 && r.status() < 500) {
          unavailable = null;
          return r;
        }
        why = r.error();
      } catch (ClusterException e) {
        why = e.getMessage();
      }
      if (closed) {
        throw new IOException("stopping while OpenSearch is unavailable: " + why);
      }
      unavailable = "OpenSearch unavailable for alerts: " + why;
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while OpenSearch is unavailable", e);
      }
      backoff = Math.min(backoff * 2, 5_000);
    }
  }

  /** Why alerts cannot be written now, if they cannot. */
  public Optional<String> unavailable() {
    return Optional.ofNullable(unavailable);
  }

  /** Stops waiting for an unavailable cluster. */
  public void close() {
    closed = true;
  }
}
