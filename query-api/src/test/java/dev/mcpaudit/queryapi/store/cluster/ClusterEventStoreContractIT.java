package dev.mcpaudit.queryapi.store.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.EventStoreContract;
import dev.mcpaudit.queryapi.store.StoreCorpus;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real OpenSearch node, the corpus written as the indexer writes it ({@link
 * ClusterFixture}).
 */
class ClusterEventStoreContractIT extends EventStoreContract {
  private Cluster cluster;

  @Override
  protected EventStore load(StoreCorpus corpus) throws Exception {
    cluster = Cluster.connect(ClusterFixture.settings(ClusterFixture.prefix("contract")));
    ClusterFixture.write(cluster, corpus.events(), corpus.alerts(), corpus::track);
    return ClusterEventStore.direct(cluster, QueryLimits.defaults(Duration.ofSeconds(30)));
  }

  /**
   * A deployment whose indexers have written nothing yet (no template, no index): every question is
   * an empty answer, not an error, and the store is ready.
   */
  @Test
  void aPrefixWithNoIndicesYetAnswersEmpty() throws Exception {
    try (Cluster empty = Cluster.connect(ClusterFixture.settings(ClusterFixture.prefix("empty")))) {
      ClusterEventStore store =
          ClusterEventStore.direct(empty, QueryLimits.defaults(Duration.ofSeconds(30)));
      TenantScope scope =
          TenantScope.of(new Caller("root", Role.ADMIN, java.util.Set.of(), true), null);
      EventQuery all =
          new EventQuery("", new TimeRange(Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z")));
      assertThat(store.health().ready()).isTrue();
      assertThat(store.search(scope, all, Optional.empty(), 10).total()).isZero();
      assertThat(store.export(scope, all, false).writeTo((b, p) -> {})).isZero();
      assertThat(store.event(scope, "ev-1")).isEmpty();
      assertThat(store.handle(scope, "h-1")).isEmpty();
      assertThat(store.top(scope, all, "tool.name", 10).buckets()).isEmpty();
    }
  }

  @AfterAll
  void close() {
    if (cluster != null) {
      cluster.close();
    }
  }
}
