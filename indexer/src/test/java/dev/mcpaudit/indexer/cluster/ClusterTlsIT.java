package dev.mcpaudit.indexer.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterException;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.TestCertificates;
import dev.mcpaudit.testkit.TestStamps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The indexer reaching a real node over HTTPS: it trusts the CA it is given and no other, and shows
 * its client certificate to a node that demands one; without them it stops at start saying TLS
 * failed.
 */
class ClusterTlsIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();

  @TempDir Path data;

  IndexerConfig config(OpenSearchNode node, String topic, Map<String, String> tls) {
    Map<String, String> s = new HashMap<>(tls);
    s.put("indexer.data-dir", data.toString());
    s.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
    s.put("topics.decisions", topic);
    s.put("topics.dead-letter", topic + ".dlq");
    s.put("topics.alerts", topic + ".alerts");
    s.put("indexer.group-id", "indexer-" + topic);
    s.put("index.backend", "opensearch");
    s.put("opensearch.hosts", node.url());
    s.put("opensearch.index-prefix", ClusterIndexerIT.prefix());
    s.put("opensearch.replicas", "0");
    return IndexerConfig.from(Settings.of(TestStamps.with(s)));
  }

  @Test
  void serverTlsWithTheGivenCaAndMutualTlsWithTheClientCertificate(@TempDir Path dir)
      throws Exception {
    TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
    String topic = KafkaBrokerExtension.uniqueTopic("os-tls");
    KAFKA.createTopics(1, topic, topic + ".dlq", topic + ".alerts");
    Map<String, String> ca = Map.of("opensearch.tls.ca", certs.caPem().toString());
    Map<String, String> mutual =
        Map.of(
            "opensearch.tls.ca", certs.caPem().toString(),
            "opensearch.tls.client-cert", certs.clientCertPem().toString(),
            "opensearch.tls.client-key", certs.clientKeyPem().toString());

    try (OpenSearchNode node =
        OpenSearchNode.start(
            dir.resolve("tls-node"),
            new OpenSearchNode.Tls(certs.serverKeyStore(), TestCertificates.PASSWORD, null))) {
      assertThat(node.url()).startsWith("https://");
      assertThatThrownBy(
              () ->
                  IndexerService.embedded(
                      config(node, topic, Map.of()), new SimpleMeterRegistry(), Clock.systemUTC()))
          .as("the JVM's trust store does not know the test CA")
          .isInstanceOf(ClusterException.class)
          .hasMessageContaining("TLS failed");
      IndexerConfig trusted = config(node, topic, ca);
      try (IndexerService indexer =
          IndexerService.embedded(trusted, new SimpleMeterRegistry(), Clock.systemUTC())) {
        assertThat(indexer.health().ready()).isTrue();
      }
      try (Cluster cluster = Cluster.connect(trusted.openSearch())) {
        assertThat(cluster.check()).contains("opensearch 3.4.0");
      }
    }

    try (OpenSearchNode node =
        OpenSearchNode.start(
            dir.resolve("mtls-node"),
            new OpenSearchNode.Tls(
                certs.serverKeyStore(), TestCertificates.PASSWORD, certs.caTrustStore()))) {
      assertThatThrownBy(
              () ->
                  IndexerService.embedded(
                      config(node, topic, ca), new SimpleMeterRegistry(), Clock.systemUTC()))
          .as("no client certificate for a node that demands one")
          .isInstanceOf(ClusterException.class)
          .hasMessageContaining("cannot reach OpenSearch");
      IndexerConfig withCert = config(node, topic, mutual);
      try (IndexerService indexer =
          IndexerService.embedded(withCert, new SimpleMeterRegistry(), Clock.systemUTC())) {
        assertThat(indexer.health().ready()).isTrue();
      }
      assertThat(withCert.openSearch().summary()).contains("tls=mutual");
    }
  }
}
