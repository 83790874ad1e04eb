package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.runtime.health.Health;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether the cluster can answer: reachable, accepting the api's credentials, and this deployment's
 * indices not red (a red index has shards with no copy, so answers would silently miss events;
 * another application's red index on a shared cluster is not ours to refuse over). Asked at most
 * once a second however often {@code /health/ready} is polled, with a short wait of its own.
 */
final class ClusterHealth {
  private static final Duration FRESH = Duration.ofSeconds(1);

  private final Cluster cluster;
  private final String path;
  private final Clock clock;
  private volatile Instant askedAt = Instant.MIN;
  private volatile Health last = Health.notReady("the OpenSearch cluster was not asked yet");

  ClusterHealth(Cluster cluster, Clock clock) {
    this.cluster = cluster;
    this.path =
        "/_cluster/health/"
            + cluster.names().decisionsPattern()
            + ","
            + cluster.names().alertsPattern()
            + "?timeout=2s";
    this.clock = clock;
  }

  Health health() {
    Instant now = clock.instant();
    if (Duration.between(askedAt, now).compareTo(FRESH) < 0) {
      return last;
    }
    synchronized (this) {
      if (Duration.between(askedAt, clock.instant()).compareTo(FRESH) >= 0) {
        last = ask();
        askedAt = clock.instant();
      }
      return last;
    }
  }

  private Health ask() {
    Cluster.Reply r;
    try {
      r = cluster.send("GET", path, (byte[]) null);
    } catch (ClusterException e) {
      return Health.notReady("the OpenSearch cluster cannot be reached");
    }
    if (r.status() == 401 || r.status() == 403) {
      return Health.notReady(
          "the OpenSearch cluster refuses the api's credentials (" + r.status() + ")");
    }
    if (!r.ok() && r.status() != 408) {
      return Health.notReady("the OpenSearch cluster answered " + r.status());
    }
    JsonNode json = r.json();
    String status = json.path("status").asText("unknown");
    if (status.equals("red")) {
      return Health.notReady(
          "the OpenSearch indices are red ("
              + json.path("unassigned_shards").asInt()
              + " shards unassigned, "
              + json.path("initializing_shards").asInt()
              + " initializing): answers would miss events");
    }
    return Health.READY;
  }
}
