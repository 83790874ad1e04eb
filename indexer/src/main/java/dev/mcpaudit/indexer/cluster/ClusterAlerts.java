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
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertTrack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The alerts indices of the cluster ({@code <prefix>-alerts-YYYY.MM}, by detection time), one
 * document per (tenant, alert_id) with the alert's workflow state, versioned by that state. Alerts
 * are rare: each is looked up across every month and written on its own. Offsets stay with Kafka's
 * group.
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
  public Recorded find(String tenant, String alertId) throws IOException {
    ObjectNode search = JsonNodeFactory.instance.objectNode();
    search.put("size", 1);
    search
        .putArray("_source")
        .add(DecisionMapping.ALERT)
        .add(AlertFields.TRACK)
        .add(AlertFields.DETECTED_AT);
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
    if (hits.isEmpty()) {
      return null;
    }
    JsonNode source = hits.get(0).path("_source");
    JsonNode alert = source.path(DecisionMapping.ALERT);
    JsonNode track = source.path(AlertFields.TRACK);
    return new Recorded(
        tenant,
        alertId,
        Instant.ofEpochMilli(source.path(AlertFields.DETECTED_AT).asLong()),
        alert.isObject() ? alert.toString().getBytes(StandardCharsets.UTF_8) : null,
        track.isObject()
            ? AlertChangeCodec.track(track.toString().getBytes(StandardCharsets.UTF_8))
            : AlertTrack.NEW);
  }

  /**
   * Writes the alert's document with external versioning, the version being one more than the
   * track's: every indexer of the deployment writes the same document for the same version, and one
   * that is behind (a lower version) is refused by the cluster instead of moving the state back.
   */
  @Override
  public void write(Recorded r) throws IOException {
    String index = names.alertsIndex(r.detectedAt());
    String id = IndexNames.documentId(r.tenant(), r.alertId());
    byte[] doc =
        Documents.alert(
            r.tenant(),
            r.alertId(),
            r.detectedAt(),
            r.alert() == null
                ? null
                : dev.mcpaudit.schema.event.EventCodec.mapper().readTree(r.alert()),
            r.alert(),
            r.track());
    Cluster.Reply reply =
        waitingSend(
            "PUT",
            "/"
                + index
                + "/_doc/"
                + id
                + "?version_type=external_gte&version="
                + (r.track().version() + 1),
            doc);
    // 409: another indexer has written a later version of this alert; that one stays.
    if (!reply.ok() && reply.status() != 409) {
      throw new IOException("alert not indexed: " + reply.error());
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
