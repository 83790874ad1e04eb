package dev.mcpaudit.bench;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.opensearch.Cluster;
import dev.mcpaudit.opensearch.ClusterSetup;
import dev.mcpaudit.opensearch.Documents;
import dev.mcpaudit.opensearch.IndexNames;
import dev.mcpaudit.opensearch.OpenSearchSettings;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.OpenSearchNode;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The query bench's events on a local OpenSearch node (the test kit's child JVM, 1 GiB heap): the
 * same generator, seed and start as the Lucene index beside it, written as the indexer writes them
 * (daily indices, the same documents, write-once ids), refreshed and flushed before anything is
 * measured. Kept in {@code home} and reused when it holds the same events.
 */
record ClusterQueryData(OpenSearchNode node, Cluster cluster) implements AutoCloseable {
  private static final int BULK = 5_000;
  static final String PREFIX = "bench-query";

  /**
   * @param port the node's HTTP port: a node comes back with its data on the same home and port
   */
  static ClusterQueryData open(
      Path home, int port, int n, Instant start, StoredCompression compression) throws Exception {
    long t0 = System.nanoTime();
    OpenSearchNode node = OpenSearchNode.start(home, java.util.List.of(), port);
    System.out.printf(
        "query/opensearch: local OpenSearch node up in %.1f s (%s, data in %s)%n",
        (System.nanoTime() - t0) / 1e9, node.url(), home);
    Map<String, String> s = new HashMap<>();
    s.put("opensearch.hosts", node.url());
    s.put("opensearch.index-prefix", PREFIX);
    s.put("opensearch.replicas", "0");
    Cluster cluster = Cluster.connect(OpenSearchSettings.from(Settings.of(s)));
    // A node coming back with its data recovers its shards first; nothing is measured before.
    cluster.call("GET", "/_cluster/health?wait_for_status=yellow&timeout=300s", null);
    Path built = home.resolve("bench-built.properties");
    Properties made = new Properties();
    if (Files.exists(built)) {
      try (var in = Files.newBufferedReader(built)) {
        made.load(in);
      }
    }
    IndexNames names = cluster.names();
    if (String.valueOf(n).equals(made.getProperty("events"))
        && start.toString().equals(made.getProperty("start"))
        && compression.name().equals(made.getProperty("compression"))) {
      System.out.printf("query/opensearch: reusing the %,d events on the node%n", n);
    } else {
      cluster.send("DELETE", "/" + names.decisionsPattern(), (byte[]) null);
      ClusterSetup.install(cluster, compression, Duration.ZERO);
      long t1 = System.nanoTime();
      load(cluster, names, n, start);
      cluster.call("POST", "/" + names.decisionsPattern() + "/_refresh", null);
      cluster.call("POST", "/" + names.decisionsPattern() + "/_flush", null);
      System.out.printf(
          "query/opensearch: loaded %,d events in %.0f s; %,d bytes on disk (primaries)%n",
          n, (System.nanoTime() - t1) / 1e9, storeBytes(cluster, names));
      made.setProperty("events", String.valueOf(n));
      made.setProperty("start", start.toString());
      made.setProperty("compression", compression.name());
      try (var out = Files.newBufferedWriter(built)) {
        made.store(out, "what bench/run query loaded on this node");
      }
    }
    return new ClusterQueryData(node, cluster);
  }

  /** The generator's events in bulks, two in flight, each document as the indexer makes it. */
  private static void load(Cluster cluster, IndexNames names, int n, Instant start)
      throws Exception {
    SyntheticEvents gen = new SyntheticEvents(10_000, start);
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      Future<?>[] inFlight = new Future<?>[2];
      int slot = 0;
      for (int from = 0; from < n; from += BULK) {
        int size = Math.min(BULK, n - from);
        ByteArrayOutputStream bulk = new ByteArrayOutputStream(size * 1_200);
        for (int i = 0; i < size; i++) {
          AuthzEvent e = gen.next();
          byte[] raw = EventCodec.encode(e);
          bulk.write(
              ("{\"create\":{\"_index\":\""
                      + names.decisionsIndex(e.occurredAt())
                      + "\",\"_id\":\""
                      + IndexNames.documentId(e.tenant(), e.eventId())
                      + "\"}}\n")
                  .getBytes(StandardCharsets.UTF_8));
          bulk.write(
              Documents.decision(
                  IndexSchema.document(
                      EventCodec.mapper().readTree(raw),
                      raw,
                      new IndexSchema.Origin(0, from + i, 0))));
          bulk.write('\n');
        }
        if (inFlight[slot] != null) {
          inFlight[slot].get();
        }
        byte[] body = bulk.toByteArray();
        inFlight[slot] = pool.submit(() -> send(cluster, body));
        slot = 1 - slot;
        if (from % 1_000_000 == 0 && from > 0) {
          System.out.printf("query/opensearch: %,d events sent%n", from);
        }
      }
      for (Future<?> f : inFlight) {
        if (f != null) {
          f.get();
        }
      }
    }
  }

  private static Void send(Cluster cluster, byte[] body) {
    Cluster.Reply r = cluster.send("POST", "/_bulk", body);
    if (!r.ok() || r.json().path("errors").asBoolean()) {
      String answer =
          new String(r.body(), 0, Math.min(r.body().length, 600), StandardCharsets.UTF_8);
      throw new IllegalStateException("bulk failed: " + r.status() + " " + answer);
    }
    return null;
  }

  static long storeBytes(Cluster cluster, IndexNames names) {
    return cluster
        .call("GET", "/" + names.decisionsPattern() + "/_stats/store", null)
        .path("_all")
        .path("primaries")
        .path("store")
        .path("size_in_bytes")
        .asLong();
  }

  @Override
  public void close() {
    cluster.close();
    node.close();
  }
}
