package dev.mcpaudit.bench;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.IndexerService;
import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.TermQuery;

/**
 * The indexer's figures in one run: (a) the limit, raw Lucene parse + index of the events with the
 * same schema on 2 threads ({@link LuceneBench}, in a JVM of its own before the broker starts); (b)
 * Kafka to searchable through the indexer for the same events; their ratio; (b) again with the
 * evidence log off and on, alternating three times over the same records, and the ratio of the
 * means (README, "Verifiable evidence"); (c) time to searchable at a steady 5,000 events/s; index
 * bytes per event against the raw JSON, counting only the files the last commit references.
 */
final class IndexerBench {
  private IndexerBench() {}

  static void run(BenchArgs args) throws Exception {
    if (dev.mcpaudit.opensearch.IndexBackend.KEY.from(Settings.of(args.settings()))
        == dev.mcpaudit.opensearch.IndexBackend.OPENSEARCH) {
      ClusterIndexerBench.run(args);
      return;
    }
    int n = args.events();
    StoredCompression compression = IndexerConfig.storedCompression(Settings.of(args.settings()));
    // (a) first, in a JVM of its own with this one's flags, before any broker exists: the reference
    // every ratio is taken against must not share heap or cores with what (b) needs.
    Path rawDir = java.nio.file.Files.createTempDirectory("mcp-audit-bench-raw-");
    LuceneBench.Result raw;
    try {
      raw = LuceneBench.forked(n, args.settings(), rawDir);
    } finally {
      LuceneBench.deleteTree(rawDir);
    }
    System.out.printf(
        "indexer: (a) raw Lucene, parse + index (addDocument), 2 threads, own JVM before the broker started "
            + "(shares only the machine; bench/run lucene runs the same alone): %,.0f events/s, index %,d bytes = %.0f B/event%n",
        raw.eventsPerSecond(), raw.liveBytes(), raw.liveBytes() / (double) n);

    try (BenchBroker kafka = new BenchBroker(4, List.of("d", "dlq", "steady", "steady.dlq"))) {
      long rawBytes = publish(kafka, "d", n);
      double avg = (double) rawBytes / n;
      System.out.printf("indexer: %,d events, %.0f B of JSON each on average%n", n, avg);

      Path e2eDir = kafka.scratch("e2e");
      IndexerConfig cfg = config(kafka, e2eDir, "d", args.settings());
      long start = System.nanoTime();
      double e2eRate;
      long size;
      try (IndexerService indexer =
          IndexerService.embedded(cfg, new SimpleMeterRegistry(), Clock.systemUTC())) {
        while (count(indexer) < n) {
          LockSupport.parkNanos(20_000_000);
        }
        e2eRate = n / ((System.nanoTime() - start) / 1e9);
        indexer.index().commit(Map.of());
        size = LiveSize.of(cfg.indexPath());
        indexer.index().forceMerge(1);
        indexer.index().commit(Map.of());
      }
      // Sized from the last commit's own file list once writer and readers are closed: files of
      // the segments the merge replaced are not counted, however long a reader held them.
      long merged = LiveSize.of(cfg.indexPath());
      System.out.printf(
          "indexer: (b) Kafka -> indexer -> searchable (validate, write-once by (tenant, event_id), DLQ check), "
              + "2 threads, broker in this JVM: %,.0f events/s%n",
          e2eRate);
      System.out.printf("indexer: ratio (b)/(a) = %.2f%n", e2eRate / raw.eventsPerSecond());
      System.out.printf(
          "indexer: index size (live files of the commit) as ingested %,d bytes = %.0f B/event = %.3f x raw JSON; "
              + "merged to one segment %,d bytes = %.0f B/event = %.3f x; (a) %.3f x%n",
          size,
          (double) size / n,
          size / (double) rawBytes,
          merged,
          (double) merged / n,
          merged / (double) rawBytes,
          raw.liveBytes() / (double) rawBytes);

      evidence(kafka, n, args.settings());
      steady(kafka, config(kafka, kafka.scratch("steady"), "steady", args.settings()));
    }
  }

  /**
   * (b) with the evidence log off and on, off-on-off-on over the same published records (each run a
   * fresh index and consumer group), so that both see the machine in the same state.
   */
  private static void evidence(BenchBroker kafka, int n, Map<String, String> extra)
      throws Exception {
    Path keyFile = kafka.scratch("evidence-key").resolve("evidence.key");
    java.nio.file.Files.createDirectories(keyFile.getParent());
    java.nio.file.Files.writeString(
        keyFile, dev.mcpaudit.schema.evidence.SigningKey.generate("mcp-audit-bench").text());
    int rounds = 3;
    double[] off = new double[rounds];
    double[] on = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      for (boolean log : new boolean[] {false, true}) {
        Map<String, String> s = new java.util.HashMap<>(extra);
        s.put("indexer.group-id", "bench-d-" + (log ? "on-" : "off-") + round);
        if (log) {
          s.put("evidence.enabled", "true");
          s.put("evidence.signing-key", keyFile.toString());
          s.put("topics.checkpoints", "d.checkpoints");
        }
        IndexerConfig cfg =
            config(kafka, kafka.scratch("e2e-" + (log ? "on-" : "off-") + round), "d", s);
        long start = System.nanoTime();
        try (IndexerService indexer =
            IndexerService.embedded(cfg, new SimpleMeterRegistry(), Clock.systemUTC())) {
          while (count(indexer) < n) {
            LockSupport.parkNanos(20_000_000);
          }
          double rate = n / ((System.nanoTime() - start) / 1e9);
          (log ? on : off)[round] = rate;
          System.out.printf(
              "indexer: (b) round %d, evidence log %s: %,.0f events/s%n",
              round + 1, log ? "on " : "off", rate);
        }
      }
    }
    double meanOff = java.util.Arrays.stream(off).average().orElseThrow();
    double meanOn = java.util.Arrays.stream(on).average().orElseThrow();
    StringBuilder perRound = new StringBuilder();
    for (int r = 0; r < rounds; r++) {
      perRound.append(String.format("%s%.2f", r == 0 ? "" : ", ", on[r] / off[r]));
    }
    System.out.printf(
        "indexer: (b) evidence log off %,.0f events/s, on %,.0f events/s (means of %d alternating"
            + " runs each): on/off = %.3f (by round: %s)%n",
        meanOff, meanOn, rounds, meanOn / meanOff, perRound);
  }

  private static IndexerConfig config(
      BenchBroker kafka, Path dir, String topic, Map<String, String> extra) {
    Map<String, String> s =
        new java.util.HashMap<>(
            Map.of(
                "indexer.data-dir",
                dir.toString(),
                "kafka.bootstrap-servers",
                kafka.broker.bootstrapServers(),
                "topics.decisions",
                topic,
                "topics.dead-letter",
                topic.equals("d") ? "dlq" : topic + ".dlq",
                "indexer.group-id",
                "bench-" + topic,
                "indexer.ram-buffer",
                "128MiB",
                "indexer.retention",
                "0s"));
    // Records are published with the collector's stamp, so the indexer verifies every one.
    s.putAll(TestStamps.settings());
    s.putAll(extra);
    System.out.println(
        "indexer: settings "
            + new java.util.TreeMap<>(s)
                .entrySet().stream()
                    .filter(
                        e -> !e.getKey().endsWith("data-dir") && !e.getKey().startsWith("kafka"))
                    .toList());
    return IndexerConfig.from(Settings.of(s));
  }

  private static long publish(BenchBroker kafka, String topic, int n) throws Exception {
    SyntheticEvents gen = new SyntheticEvents(2_000, Instant.now().minus(Duration.ofDays(3)));
    long bytes = 0;
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
      for (int i = 0; i < n; i++) {
        AuthzEvent e = gen.next();
        byte[] v = EventCodec.encode(e);
        bytes += v.length;
        producer.send(
            TestStamps.stamped(
                new ProducerRecord<>(topic, e.partitionKey(), v), StampKind.COLLECTOR));
      }
      producer.flush();
    }
    System.out.printf(
        "indexer: published %,d events at %,.0f events/s (acks=all, lz4)%n",
        n, n / ((System.nanoTime() - start) / 1e9));
    return bytes;
  }

  static KafkaProducer<String, byte[]> producer(BenchBroker kafka) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.broker.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4",
            ProducerConfig.LINGER_MS_CONFIG,
            5,
            ProducerConfig.BATCH_SIZE_CONFIG,
            256 * 1024),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  private static long count(IndexerService indexer) throws Exception {
    IndexSearcher s = indexer.searchers().acquire();
    try {
      return s.count(new MatchAllDocsQuery());
    } finally {
      indexer.searchers().release(s);
    }
  }

  /** 5,000 events/s for 30 s; every 25th event's time from Kafka's ack to a searcher finding it. */
  private static void steady(BenchBroker kafka, IndexerConfig cfg) throws Exception {
    SyntheticEvents gen = new SyntheticEvents(5_000, Instant.now().minus(Duration.ofHours(1)));
    Map<String, Long> ackedAt = new ConcurrentHashMap<>();
    List<Long> latencies = new ArrayList<>();
    AtomicLong sent = new AtomicLong();
    try (IndexerService indexer =
            IndexerService.embedded(cfg, new SimpleMeterRegistry(), Clock.systemUTC());
        KafkaProducer<String, byte[]> producer = producer(kafka)) {
      int total = 150_000;
      Thread checker =
          Thread.ofPlatform()
              .name("bench-searchable-checker")
              .start(
                  () -> {
                    while (sent.get() < total || !ackedAt.isEmpty()) {
                      try {
                        IndexSearcher s = indexer.searchers().acquire();
                        try {
                          for (Map.Entry<String, Long> e : ackedAt.entrySet()) {
                            if (s.count(new TermQuery(new Term(IndexSchema.EVENT_ID, e.getKey())))
                                > 0) {
                              synchronized (latencies) {
                                latencies.add(System.nanoTime() - e.getValue());
                              }
                              ackedAt.remove(e.getKey());
                            }
                          }
                        } finally {
                          indexer.searchers().release(s);
                        }
                      } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                      }
                      LockSupport.parkNanos(2_000_000);
                    }
                  });
      long start = System.nanoTime();
      for (int i = 0; i < total; i++) {
        AuthzEvent e = gen.next();
        boolean sample = i % 25 == 0;
        producer.send(
            TestStamps.stamped(
                new ProducerRecord<>("steady", e.partitionKey(), EventCodec.encode(e)),
                StampKind.COLLECTOR),
            (md, ex) -> {
              if (sample && ex == null) {
                ackedAt.put(e.eventId(), System.nanoTime());
              }
            });
        sent.incrementAndGet();
        long due = start + i * 200_000L; // 5,000/s
        long ahead = due - System.nanoTime();
        if (ahead > 0) {
          LockSupport.parkNanos(ahead);
        }
      }
      producer.flush();
      checker.join(Duration.ofMinutes(2));
    }
    long[] l = latencies.stream().mapToLong(Long::longValue).toArray();
    System.out.println(
        "indexer: (c) at a steady 5,000 events/s for 30 s, Kafka ack -> searchable: "
            + Percentiles.of(l));
  }
}
