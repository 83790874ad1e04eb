package dev.mcpaudit.queryapi.store.cluster;

import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.EventStoreContract;
import dev.mcpaudit.queryapi.store.StoreCorpus;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;

/**
 * The store contract on a real OpenSearch node, the corpus written as the indexer writes it ({@link
 * ClusterFixture}).
 */
class ClusterEventStoreContractIT extends EventStoreContract {
  private Cluster cluster;

  @Override
  protected EventStore load(StoreCorpus corpus) throws Exception {
    cluster = Cluster.connect(ClusterFixture.settings(ClusterFixture.prefix("contract")));
    ClusterFixture.write(cluster, corpus.events(), corpus.alerts());
    return ClusterEventStore.direct(cluster, QueryLimits.defaults(Duration.ofSeconds(30)));
  }

  @AfterAll
  void close() {
    if (cluster != null) {
      cluster.close();
    }
  }
}
