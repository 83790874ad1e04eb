package dev.mcpaudit.queryapi;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.alerts.AlertIndex;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.queryapi.store.cluster.ClusterFixture;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.OpenSearchNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The index backend the API's ITs read: the embedded Lucene index, or, when the build runs them a
 * second time with {@code -Dmcpaudit.test.backend=opensearch} (query-api/pom.xml), a real
 * OpenSearch node. The same tests, the same expected answers.
 */
enum TestBackend {
  LUCENE,
  OPENSEARCH;

  static TestBackend current() {
    return valueOf(System.getProperty("mcpaudit.test.backend", "lucene").toUpperCase(Locale.ROOT));
  }

  /**
   * Stores {@code events} where this backend's API reads them, as the indexer would (one commit, or
   * one refresh), with an empty alerts store beside them.
   *
   * @param dir the test's own directory (the Lucene indexes go there)
   * @return the api settings that reach them
   */
  Map<String, String> store(Path dir, List<AuthzEvent> events) throws Exception {
    if (this == OPENSEARCH) {
      String prefix = ClusterFixture.prefix("api");
      try (Cluster cluster = Cluster.connect(ClusterFixture.settings(prefix))) {
        ClusterFixture.write(cluster, events, List.of());
      }
      return settings(prefix);
    }
    try (EventIndex index = EventIndex.open(dir.resolve("index"), 32)) {
      long offset = 0;
      for (AuthzEvent e : events) {
        byte[] raw = EventCodec.encode(e);
        index.append(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, offset++, 0)));
      }
      index.commit(Map.of("t:0", offset));
    }
    // As the indexer does: the alerts index beside the events, committed empty before the first
    // alert.
    AlertIndex.open(dir.resolve("alerts")).close();
    return Map.of("api.index-dir", dir.resolve("index").toString());
  }

  /** The settings of an api (or indexer) on the test node under {@code prefix}. */
  static Map<String, String> settings(String prefix) {
    return Map.of(
        "index.backend",
        "opensearch",
        "opensearch.hosts",
        OpenSearchNode.shared().url(),
        "opensearch.index-prefix",
        prefix,
        "opensearch.replicas",
        "0");
  }
}
