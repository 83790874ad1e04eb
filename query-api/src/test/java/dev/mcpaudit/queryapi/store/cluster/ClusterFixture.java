package dev.mcpaudit.queryapi.store.cluster;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterSetup;
import dev.mcpaudit.opensearch.Documents;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.OpenSearchNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Events and alerts written to the shared test node as the indexer and the alert ingest write them:
 * one document per event in the daily index of its own date, built from the same Lucene document,
 * out of time order, over several bulk requests; the alerts in their monthly index.
 */
public final class ClusterFixture {
  private ClusterFixture() {}

  /** Settings of a store on the shared test node, under an index prefix of its own. */
  public static OpenSearchSettings settings(String prefix) {
    return settings(OpenSearchNode.shared().url(), prefix);
  }

  /** Settings of a store on the node at {@code url}, under an index prefix of its own. */
  public static OpenSearchSettings settings(String url, String prefix) {
    return OpenSearchSettings.from(
        Settings.of(
            Map.of(
                "opensearch.hosts",
                url,
                "opensearch.index-prefix",
                prefix,
                "opensearch.replicas",
                "0",
                "opensearch.shards",
                "2")));
  }

  public static String prefix(String name) {
    return name + "-" + Long.toHexString(System.nanoTime()).toLowerCase(Locale.ROOT);
  }

  /** The events and alerts as the indexer and the alert ingest write them, then refreshed. */
  public static void write(Cluster cluster, List<AuthzEvent> events, List<Alert> alerts)
      throws Exception {
    write(cluster, events, alerts, id -> AlertTrack.NEW);
  }

  /** The same, each alert with its workflow state as the alert ingest writes it. */
  public static void write(
      Cluster cluster,
      List<AuthzEvent> events,
      List<Alert> alerts,
      java.util.function.Function<String, AlertTrack> tracks)
      throws Exception {
    ClusterSetup.install(cluster, StoredCompression.DEFLATE, Duration.ZERO);
    IndexNames names = cluster.names();
    List<AuthzEvent> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, new Random(5));
    ByteArrayOutputStream bulk = new ByteArrayOutputStream();
    long offset = 0;
    for (AuthzEvent e : shuffled) {
      byte[] raw = EventCodec.encode(e);
      byte[] doc =
          Documents.decision(
              IndexSchema.document(
                  EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, offset++, 0)));
      action(
          bulk,
          names.decisionsIndex(e.occurredAt()),
          IndexNames.documentId(e.tenant(), e.eventId()));
      bulk.write(doc);
      bulk.write('\n');
      if (offset % 700 == 0) {
        send(cluster, bulk);
      }
    }
    for (Alert a : alerts) {
      byte[] json = EventCodec.mapper().writeValueAsBytes(a);
      action(
          bulk, names.alertsIndex(a.detectedAt()), IndexNames.documentId(a.tenant(), a.alertId()));
      bulk.write(
          Documents.alert(
              a.tenant(),
              a.alertId(),
              a.detectedAt(),
              EventCodec.mapper().readTree(json),
              json,
              tracks.apply(a.alertId())));
      bulk.write('\n');
    }
    send(cluster, bulk);
    cluster.call("POST", "/" + names.prefix() + "-*/_refresh", null);
  }

  private static void action(ByteArrayOutputStream bulk, String index, String id) throws Exception {
    bulk.write(
        ("{\"create\":{\"_index\":\"" + index + "\",\"_id\":\"" + id + "\"}}\n")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static void send(Cluster cluster, ByteArrayOutputStream bulk) {
    if (bulk.size() == 0) {
      return;
    }
    Cluster.Reply r = cluster.send("POST", "/_bulk", bulk.toByteArray());
    bulk.reset();
    if (!r.ok() || r.json().path("errors").asBoolean()) {
      String answer = new String(r.body(), StandardCharsets.UTF_8);
      throw new IllegalStateException(
          "bulk failed: " + answer.substring(0, Math.min(answer.length(), 800)));
    }
  }
}
