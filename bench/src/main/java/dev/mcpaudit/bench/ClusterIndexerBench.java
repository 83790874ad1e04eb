package dev.mcpaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.Documents;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.opensearch.RawJson;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;

/**
 * The indexer with {@code index.backend=opensearch}, in one run beside what it is measured against:
 * (a) the Lucene indexer for the same events from the same topic; (p) the node's own bulk rate for
 * the same documents from a plain bulk client (prepared documents, one bulk of 4,000 at a time, as
 * the indexer sends one poll at a time); (o) Kafka to the cluster through the indexer (validate,
 * stamps, write-once lookup across the daily indices, bulk create, acknowledged). Both cluster runs
 * write to the same node, one after the other, into indices of their own. The node is the test
 * kit's (a child JVM, 1 GiB heap) unless {@code opensearch.hosts} names one.
 */
final class ClusterIndexerBench {
  private static final int BULK = 4_000;
  private static final int ROUNDS = 2;

  private ClusterIndexerBench() {}

  static void run(BenchArgs args) throws Exception {
    int n = args.eventsOr(200_000);
    Path home = Files.createTempDirectory("mcp-audit-bench-opensearch-");
    OpenSearchNode node = null;
    Map<String, String> settings = new HashMap<>(args.settings());
    if (!settings.containsKey("opensearch.hosts")) {
      long t = System.nanoTime();
      node = OpenSearchNode.start(home);
      settings.put("opensearch.hosts", node.url());
      System.out.printf(
          "indexer/opensearch: a local OpenSearch 3.4.0 node started in %.1f s (child JVM, -Xmx1g, %s)%n",
          (System.nanoTime() - t) / 1e9, node.url());
    }
    settings.putIfAbsent("opensearch.replicas", "0");
    try (BenchBroker kafka = new BenchBroker(4, List.of("d", "dlq", "alerts"))) {
      long rawBytes = publish(kafka, n);
      System.out.printf(
          "indexer/opensearch: %,d events, %.0f B of JSON each on average%n",
          n, (double) rawBytes / n);

      Map<String, String> lucene = new HashMap<>(args.settings());
      lucene.put("index.backend", "lucene");
      IndexerConfig luceneCfg = config(kafka, "bench-lucene", lucene);
      double luceneRate;
      try (IndexerService indexer =
          IndexerService.embedded(luceneCfg, new SimpleMeterRegistry(), Clock.systemUTC())) {
        luceneRate = awaitIndexed(indexer, n);
      }
      System.out.printf(
          "indexer/opensearch: (a) Kafka -> indexer -> Lucene index (the default backend): %,.0f events/s%n",
          luceneRate);

      // Plain bulk and the indexer alternate, twice, each round into indices of its own: the
      // machine's drift hits both alike.
      double plainTime = 0;
      double indexerTime = 0;
      IndexerConfig last = null;
      for (int round = 1; round <= ROUNDS; round++) {
        double plainRate;
        try (Cluster cluster = Cluster.connect(clusterSettings(settings, "bench-plain-" + round))) {
          dev.mcpaudit.opensearch.ClusterSetup.install(
              cluster, IndexerConfig.storedCompression(Settings.of(settings)), Duration.ZERO);
          plainRate = plainBulk(cluster, n);
        }
        Map<String, String> os = new HashMap<>(settings);
        os.put("index.backend", "opensearch");
        os.put("opensearch.index-prefix", "bench-indexer-" + round);
        IndexerConfig osCfg = config(kafka, "bench-opensearch-" + round, os);
        double osRate;
        try (IndexerService indexer =
            IndexerService.embedded(osCfg, new SimpleMeterRegistry(), Clock.systemUTC())) {
          osRate = awaitIndexed(indexer, n);
        }
        plainTime += n / plainRate;
        indexerTime += n / osRate;
        last = osCfg;
        System.out.printf(
            "indexer/opensearch: round %d: (p) plain bulk client, prepared documents, %,d per request,"
                + " op_type=create: %,.0f docs/s; (o) Kafka -> indexer -> OpenSearch (validate, stamps,"
                + " write-once lookup, bulk create, acknowledged): %,.0f events/s; (o)/(p) = %.2f%n",
            round, BULK, plainRate, osRate, osRate / plainRate);
      }
      double plain = ROUNDS * n / plainTime;
      double indexer = ROUNDS * n / indexerTime;
      System.out.printf(
          "indexer/opensearch: over %d rounds (p) %,.0f docs/s, (o) %,.0f events/s: ratio (o)/(p) = %.2f, (o)/(a) = %.2f%n",
          ROUNDS, plain, indexer, indexer / plain, indexer / luceneRate);
      try (Cluster cluster = Cluster.connect(last.openSearch())) {
        IndexNames names = cluster.names();
        cluster.call(
            "POST", "/" + names.decisionsPattern() + "/_forcemerge?max_num_segments=1", null);
        awaitOneSegmentEach(cluster, names);
        cluster.call("POST", "/" + names.decisionsPattern() + "/_flush", null);
        long merged = storeBytes(cluster, names);
        System.out.printf(
            "indexer/opensearch: store size (primaries, codec best_compression, merged to one segment per daily index) %,d bytes = %.0f B/event = %.3f x raw JSON%n",
            merged, (double) merged / n, merged / (double) rawBytes);
      }
    } finally {
      if (node != null) {
        node.close();
      }
      LuceneBench.deleteTree(home);
    }
  }

  /** A force-merge's old segments are gone only once each index has one segment left. */
  private static void awaitOneSegmentEach(Cluster cluster, IndexNames names) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode segments =
          cluster.call(
              "GET", "/_cat/segments/" + names.decisionsPattern() + "?format=json&h=index", null);
      java.util.Set<String> indices = new java.util.HashSet<>();
      segments.forEach(r -> indices.add(r.path("index").asText()));
      if (segments.size() == indices.size()) {
        return;
      }
      LockSupport.parkNanos(200_000_000);
    }
  }

  private static long storeBytes(Cluster cluster, IndexNames names) {
    long total = 0;
    for (JsonNode row :
        cluster.call(
            "GET",
            "/_cat/indices/"
                + names.decisionsPattern()
                + "?format=json&bytes=b&h=index,pri.store.size",
            null)) {
      total += row.path("pri.store.size").asLong();
    }
    return total;
  }

  /** The same events as {@link #publish}, as the indexer would write them, sent in plain bulks. */
  private static double plainBulk(Cluster cluster, int n) throws Exception {
    SyntheticEvents gen = new SyntheticEvents(2_000, START);
    IndexNames names = cluster.names();
    List<BulkOperation> all = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      AuthzEvent e = gen.next();
      byte[] raw = EventCodec.encode(e);
      byte[] doc =
          Documents.decision(
              IndexSchema.document(
                  EventCodec.mapper().readTree(raw),
                  raw,
                  new IndexSchema.Origin(
                      0,
                      i,
                      System.currentTimeMillis(),
                      new Provenance(Provenance.COLLECTOR, "bench"))));
      String index = names.decisionsIndex(e.occurredAt());
      String id = IndexNames.documentId(e.tenant(), e.eventId());
      all.add(
          BulkOperation.of(o -> o.create(c -> c.index(index).id(id).document(new RawJson(doc)))));
    }
    long start = System.nanoTime();
    for (int from = 0; from < n; from += BULK) {
      List<BulkOperation> ops = all.subList(from, Math.min(n, from + BULK));
      BulkResponse r = cluster.client().bulk(b -> b.operations(ops));
      if (r.errors()) {
        throw new IllegalStateException("plain bulk had errors: " + r.items().get(0).error());
      }
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static double awaitIndexed(IndexerService indexer, int n) {
    long start = System.nanoTime();
    while (indexer.metrics().indexedCount() < n) {
      LockSupport.parkNanos(20_000_000);
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static OpenSearchSettings clusterSettings(Map<String, String> settings, String prefix) {
    Map<String, String> s = new HashMap<>(settings);
    s.put("opensearch.index-prefix", prefix);
    return OpenSearchSettings.from(Settings.of(s));
  }

  private static IndexerConfig config(BenchBroker kafka, String name, Map<String, String> extra)
      throws Exception {
    Map<String, String> s = new HashMap<>();
    s.put("indexer.data-dir", kafka.scratch(name).toString());
    s.put("kafka.bootstrap-servers", kafka.broker.bootstrapServers());
    s.put("topics.decisions", "d");
    s.put("topics.dead-letter", "dlq");
    s.put("topics.alerts", "alerts");
    s.put("indexer.group-id", name);
    s.put("indexer.ram-buffer", "128MiB");
    s.put("indexer.retention", "0s");
    s.putAll(TestStamps.settings());
    s.putAll(extra);
    return IndexerConfig.from(Settings.of(s));
  }

  private static final Instant START = Instant.now().minus(Duration.ofDays(3));

  private static long publish(BenchBroker kafka, int n) {
    SyntheticEvents gen = new SyntheticEvents(2_000, START);
    long bytes = 0;
    try (KafkaProducer<String, byte[]> producer = IndexerBench.producer(kafka)) {
      for (int i = 0; i < n; i++) {
        AuthzEvent e = gen.next();
        byte[] v = EventCodec.encode(e);
        bytes += v.length;
        producer.send(
            TestStamps.stamped(
                new ProducerRecord<>("d", e.partitionKey(), v), StampKind.COLLECTOR));
      }
      producer.flush();
    }
    return bytes;
  }
}
