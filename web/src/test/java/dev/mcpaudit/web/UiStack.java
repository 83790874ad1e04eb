package dev.mcpaudit.web;

import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.cluster.ClusterEventStore;
import dev.mcpaudit.queryapi.store.lucene.LuceneEventStore;
import dev.mcpaudit.queryapi.store.lucene.StoreThreads;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.TestStamps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a browser test reads through: a real indexer filling the embedded Lucene index, or a real
 * OpenSearch node when the build runs the test a second time with {@code
 * -Dmcpaudit.test.backend=opensearch} (web/pom.xml), and the API's store over it.
 */
final class UiStack implements AutoCloseable {
  static final boolean OPENSEARCH =
      "opensearch".equals(System.getProperty("mcpaudit.test.backend", "lucene"));

  final IndexerService indexer;
  final EventStore store;

  /** The evidence logs the indexer keeps (Lucene only; null on OpenSearch), and their key. */
  final dev.mcpaudit.queryapi.store.lucene.LuceneEvidence evidence;

  /** The alert logs beside the alerts index (Lucene only; null on OpenSearch). */
  final dev.mcpaudit.queryapi.store.lucene.LuceneEvidence alertEvidence;

  final java.util.List<dev.mcpaudit.schema.evidence.VerifierKey> evidenceKeys;
  private final StoreThreads threads;
  private final Cluster cluster;

  /**
   * @param settings the indexer's (data dir, Kafka, topics, group)
   * @param prefix the OpenSearch index prefix, unique per test class
   */
  UiStack(Map<String, String> settings, String prefix, QueryLimits limits) {
    Map<String, String> all = new HashMap<>(settings);
    Map<String, String> cluster =
        Map.of(
            "index.backend",
            "opensearch",
            "opensearch.hosts",
            OPENSEARCH ? OpenSearchNode.shared().url() : "",
            "opensearch.index-prefix",
            prefix.toLowerCase(Locale.ROOT),
            "opensearch.replicas",
            "0");
    dev.mcpaudit.schema.evidence.SigningKey key = null;
    if (OPENSEARCH) {
      all.putAll(cluster);
      all.put("indexer.commit-interval", "1s");
    } else {
      key = dev.mcpaudit.schema.evidence.SigningKey.generate("mcp-audit-ui");
      java.nio.file.Path keyFile =
          java.nio.file.Path.of(all.get("indexer.data-dir")).resolve("evidence.key");
      try {
        java.nio.file.Files.createDirectories(keyFile.getParent());
        java.nio.file.Files.writeString(keyFile, key.text());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      all.put("evidence.enabled", "true");
      all.put("evidence.signing-key", keyFile.toString());
      all.put("evidence.checkpoint-interval", "1s");
      all.put("indexer.commit-interval", "1s");
      all.put("topics.checkpoints", all.get("topics.decisions") + ".checkpoints");
    }
    this.indexer =
        IndexerService.embedded(
            IndexerConfig.from(Settings.of(TestStamps.with(all))),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    this.threads = StoreThreads.start();
    if (OPENSEARCH) {
      this.cluster = Cluster.connect(OpenSearchSettings.from(Settings.of(cluster)));
      this.store = ClusterEventStore.over(this.cluster, limits);
    } else {
      this.cluster = null;
      this.store =
          LuceneEventStore.over(indexer.searchers(), indexer.alertSearchers(), limits, threads);
    }
    try {
      this.evidence =
          OPENSEARCH
              ? null
              : new dev.mcpaudit.queryapi.store.lucene.LuceneEvidence(indexer.index().path());
      this.alertEvidence =
          OPENSEARCH
              ? null
              : new dev.mcpaudit.queryapi.store.lucene.LuceneEvidence(
                  java.nio.file.Path.of(all.get("indexer.data-dir")).resolve("alerts"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    this.evidenceKeys = key == null ? java.util.List.of() : java.util.List.of(key.verifier());
  }

  /**
   * Whether every evidence log of {@code tenants} has a checkpoint covering all of it (always true
   * without the log).
   */
  boolean evidenceCovered(java.util.Collection<String> tenants) {
    return covered(evidence, tenants);
  }

  /** Whether every alert log of {@code tenants} has a checkpoint covering all of it. */
  boolean alertEvidenceCovered(java.util.Collection<String> tenants) {
    return covered(alertEvidence, tenants);
  }

  private static boolean covered(
      dev.mcpaudit.queryapi.store.lucene.LuceneEvidence logs,
      java.util.Collection<String> tenants) {
    if (logs == null) {
      return true;
    }
    for (String t : tenants) {
      var all = logs.logs(t);
      if (all.isEmpty()) {
        return false;
      }
      for (var log : all) {
        var latest = logs.latest(log);
        if (latest.isEmpty() || latest.get().checkpoint().size() != logs.size(log)) {
          return false;
        }
      }
    }
    return true;
  }

  /** Makes the Lucene searchers see the last commit (OpenSearch refreshes on its own). */
  void refresh() throws IOException {
    if (!OPENSEARCH) {
      indexer.searchers().maybeRefreshBlocking();
      indexer.alertSearchers().maybeRefreshBlocking();
    }
  }

  @Override
  public void close() throws Exception {
    if (evidence != null) {
      evidence.close();
      alertEvidence.close();
    }
    threads.close();
    indexer.close();
    if (cluster != null) {
      cluster.close();
    }
  }
}
