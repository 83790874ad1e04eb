package dev.mcpaudit.indexer.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.IndexNames;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention on the cluster, by the day in each index's name: a daily index is deleted once its
 * whole day is older than {@code indexer.retention} (so an event stays between the retention and a
 * day more), and, where the cluster has no ISM plugin to do it, merged to one segment once its day
 * is {@code opensearch.force-merge-after} past. The ISM policy deletes by index age; this deletes
 * by the events' own date, which also catches an index opened late for old events. Every indexer
 * runs it; deleting an index twice is harmless.
 */
public final class ClusterMaintenance {
  private static final Logger log = LoggerFactory.getLogger(ClusterMaintenance.class);

  private final Cluster cluster;
  private final IndexNames names;
  private final Duration retention;
  private final boolean ism;
  private final Clock clock;
  private final Set<String> merged = new HashSet<>();
  private volatile long documents;

  public ClusterMaintenance(Cluster cluster, Duration retention, boolean ism, Clock clock) {
    this.cluster = cluster;
    this.names = cluster.names();
    this.retention = retention;
    this.ism = ism;
    this.clock = clock;
  }

  /** Decisions in the cluster as of the last run (for the docs gauge). */
  public long documents() {
    return documents;
  }

  public void runQuietly() {
    try {
      run();
    } catch (RuntimeException e) {
      log.warn("opensearch retention run failed error={}", e.toString());
    }
  }

  void run() {
    Cluster.Reply r =
        cluster.send(
            "GET",
            "/_cat/indices/" + names.decisionsPattern() + "?format=json&h=index,docs.count",
            (byte[]) null);
    if (r.status() == 404) {
      documents = 0;
      return;
    }
    if (!r.ok()) {
      throw new IllegalStateException("listing the daily indices failed: " + r.error());
    }
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    long docs = 0;
    for (JsonNode row : r.json()) {
      String index = row.path("index").asText();
      LocalDate day = names.dayOf(index).orElse(null);
      if (day == null) {
        continue;
      }
      // The day's last event is older than the retention once the day after it is.
      if (!retention.isZero()
          && day.plusDays(1)
              .atStartOfDay(ZoneOffset.UTC)
              .toInstant()
              .isBefore(clock.instant().minus(retention))) {
        Cluster.Reply deleted = cluster.send("DELETE", "/" + index, (byte[]) null);
        if (deleted.ok() || deleted.status() == 404) {
          log.info(
              "opensearch retention deleted index={} docs={}",
              index,
              row.path("docs.count").asText());
          merged.remove(index);
          continue;
        }
        log.warn("opensearch retention could not delete index={} error={}", index, deleted.error());
      }
      docs += row.path("docs.count").asLong(0);
      Duration mergeAfter = cluster.settings().forceMergeAfter();
      if (!ism
          && !merged.contains(index)
          && day.plusDays(1)
              .atStartOfDay(ZoneOffset.UTC)
              .toInstant()
              .plus(mergeAfter)
              .isBefore(clock.instant())
          && !day.isAfter(today)) {
        Cluster.Reply m =
            cluster.send(
                "POST",
                "/" + index + "/_forcemerge?max_num_segments=1&wait_for_completion=false",
                (byte[]) null);
        if (m.ok()) {
          merged.add(index);
          log.info("opensearch force-merge started index={}", index);
        }
      }
    }
    documents = docs;
  }
}
