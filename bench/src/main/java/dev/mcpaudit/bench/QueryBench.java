package dev.mcpaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.export.ExportFormat;
import dev.mcpaudit.queryapi.search.CursorKey;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.search.SearchRequest;
import dev.mcpaudit.queryapi.store.AccessReport;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.queryapi.store.cluster.ClusterEventStore;
import dev.mcpaudit.queryapi.store.lucene.LuceneEventStore;
import dev.mcpaudit.queryapi.store.lucene.StoreThreads;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;

/**
 * The analyst's questions on a large index (default 10,000,000 events from the same generator),
 * through the same classes the API uses, in process (no HTTP): p50/p99 of each, export rows/s. With
 * {@code --set index.backend=opensearch} the same events also go to a local OpenSearch node ({@link
 * ClusterQueryData}) and every measurement runs on both stores, back to back, in the same run.
 */
final class QueryBench {
  private QueryBench() {}

  static void run(BenchArgs args) throws Exception {
    int n = args.eventsOr(10_000_000);
    StoredCompression compression = IndexerConfig.storedCompression(Settings.of(args.settings()));
    // --set bench.index-dir=DIR keeps the index (and reuses it when it was built with the same
    // events and compression): query changes can then be measured without a 5-minute build each.
    String kept = args.settings().get("bench.index-dir");
    Path dir = kept != null ? Path.of(kept) : Files.createTempDirectory("mcp-audit-query-bench");
    Path built = dir.resolve("bench-built.properties");
    Properties made = new Properties();
    if (kept != null && Files.exists(built)) {
      try (var in = Files.newBufferedReader(built)) {
        made.load(in);
      }
    }
    Instant start;
    if (String.valueOf(n).equals(made.getProperty("events"))
        && compression.name().equals(made.getProperty("compression"))) {
      start = Instant.parse(made.getProperty("start"));
      System.out.printf(
          "query: reusing the %,d-event index in %s (%,d bytes)%n",
          n, dir, size(dir.resolve("index")));
    } else {
      start = Instant.now().minus(Duration.ofDays(2));
      deleteTree(dir.resolve("index"));
      long t0 = System.nanoTime();
      long raw = build(dir.resolve("index"), n, start, compression);
      long bytes = size(dir.resolve("index"));
      System.out.printf(
          "query: built a %,d-event index in %.0f s: %,d bytes, %.0f B/event, %.3f x the %,d bytes of raw JSON%n",
          n, (System.nanoTime() - t0) / 1e9, bytes, bytes / (double) n, bytes / (double) raw, raw);
      made.setProperty("events", String.valueOf(n));
      made.setProperty("compression", compression.name());
      made.setProperty("start", start.toString());
      try (var out = Files.newBufferedWriter(built)) {
        made.store(out, "what bench/run query built here");
      }
    }
    System.out.printf(
        "query: stored events compressed with %s (--set indexer.stored-compression=deflate|lz4)%n",
        compression);
    if (Duration.between(start, Instant.now()).compareTo(Duration.ofDays(5)) > 0) {
      System.out.println(
          "query: note: the kept index is older than 5 days; the 7-day windows see only part of it");
    }

    // --set index.backend=opensearch: the same events on a local OpenSearch node, and every
    // measurement taken on both stores back to back, Lucene first.
    boolean both = "opensearch".equals(args.settings().get("index.backend"));
    Path osHome =
        Path.of(
            args.settings()
                .getOrDefault("bench.opensearch-dir", dir.resolve("opensearch").toString()));
    int osPort = Integer.parseInt(args.settings().getOrDefault("bench.opensearch-port", "19231"));
    try (FSDirectory fs = FSDirectory.open(dir.resolve("index"));
        SearcherManager searchers = new SearcherManager(DirectoryReader.open(fs), null);
        StoreThreads threads = StoreThreads.start();
        ClusterQueryData os =
            both ? ClusterQueryData.open(osHome, osPort, n, start, compression) : null) {
      QueryLimits limits = QueryLimits.defaults(Duration.ofSeconds(30));
      // The stores as the API uses them, minus admission (one caller, one request at a time here).
      List<Side> sides = new ArrayList<>();
      EventStore lucene = LuceneEventStore.direct(searchers, searchers, limits, threads);
      sides.add(
          new Side(
              both ? " [lucene]" : "", lucene, new DecisionSearch(lucene, CursorKey.random())));
      if (both) {
        EventStore cluster = ClusterEventStore.direct(os.cluster(), limits);
        sides.add(
            new Side(" [opensearch]", cluster, new DecisionSearch(cluster, CursorKey.random())));
      }
      Caller caller = new Caller("bench", Role.AUDITOR, Set.of(), true);
      TenantScope every = TenantScope.of(caller, null);
      Instant now = Instant.now();
      TimeRange week = new TimeRange(now.minus(Duration.ofDays(7)), now);
      TimeRange month = new TimeRange(now.minus(Duration.ofDays(30)), now);
      int runs = 200;
      // --set bench.only=handle,export runs only the measurements whose names contain one of these.
      List<String> only =
          List.of(args.settings().getOrDefault("bench.only", "").split(",")).stream()
              .map(String::strip)
              .filter(w -> !w.isEmpty())
              .toList();
      // Each store gets the same random questions: a fresh generator with the same seed.
      Measure timed =
          (what, n2, q) -> {
            if (only.isEmpty() || only.stream().anyMatch(what::contains)) {
              for (Side side : sides) {
                SplittableRandom r = new SplittableRandom(9);
                measure(what + side.label(), n2, () -> q.run(side, r));
              }
            }
          };

      timed.run(
          "actor timeline, 7 days, newest 100",
          runs,
          (s, r) -> {
            String actor = "spiffe://example.org/agent/a-" + r.nextInt(200);
            s.search()
                .search(every, new SearchRequest("actor.id:\"" + actor + "\"", week, 100, null));
          });
      // Term walks: a prefix of event ids (about 1,100 of 10 million terms), and a wildcard whose
      // matches lie far apart in a walk over a tenth of the dictionary.
      timed.run(
          "event_id prefix, 7 days, newest 100",
          runs,
          (s, r) ->
              s.search()
                  .search(
                      every,
                      new SearchRequest(
                          "event_id:ev-"
                              + Long.toHexString(10_000)
                              + "-"
                              + (10_000 + r.nextInt(90_000))
                              + "*",
                          week,
                          100,
                          null)));
      timed.run(
          "event_id wildcard over a tenth of the ids, 7 days, newest 100",
          20,
          (s, r) ->
              s.search()
                  .search(
                      every,
                      new SearchRequest(
                          "event_id:ev-"
                              + Long.toHexString(10_000)
                              + "-"
                              + (1 + r.nextInt(9))
                              + "?"
                              + (100 + r.nextInt(900))
                              + "*",
                          week,
                          100,
                          null)));
      timed.run(
          "access summary, 30 days",
          runs,
          (s, r) ->
              s.store()
                  .access(
                      every,
                      AccessReport.Subject.ACTOR,
                      "spiffe://example.org/agent/a-" + r.nextInt(200),
                      month));
      timed.run(
          "handle timeline (first 1000 events)",
          runs,
          (s, r) ->
              s.store().handle(every, "h-" + Long.toHexString(10_000) + "-" + r.nextInt(2000)));
      timed.run(
          "top 10 tool.name, 7 days, one tenant",
          50,
          (s, r) ->
              s.store()
                  .top(
                      TenantScope.of(caller, "tenant-" + r.nextInt(3)),
                      new EventQuery(null, week),
                      IndexSchema.TOOL_NAME,
                      10));
      timed.run(
          "histogram, 60 buckets, 7 days, decision:deny",
          50,
          (s, r) ->
              s.store()
                  .histogram(
                      every,
                      new EventQuery("decision:deny", week),
                      Duration.ofDays(7).toMillis() / 60,
                      60));
      // What /decisions reports as total: exact at any size (the index holds two days of events,
      // so both windows count all of a tenant's denies). Each run's window ends at a different
      // millisecond, as a window ending "now" does: the query cache keeps the count of a query
      // it has seen, and a repeated identical window would measure that cache, not the counting.
      for (var w :
          List.of(
              Map.entry("7 days", Duration.ofDays(7)), Map.entry("30 days", Duration.ofDays(30)))) {
        String what = "exact count, " + w.getKey() + ", one tenant's decision:deny";
        if (only.isEmpty() || only.stream().anyMatch(what::contains)) {
          for (Side side : sides) {
            System.out.printf(
                "query: %s%s: tenant-0 has %,d%n",
                what,
                side.label(),
                side.store()
                    .count(
                        TenantScope.of(caller, "tenant-0"),
                        new EventQuery(
                            "decision:deny", new TimeRange(now.minus(w.getValue()), now))));
          }
        }
        timed.run(
            what,
            runs,
            (s, r) -> {
              Instant end = now.minusMillis(r.nextInt(600_000));
              s.store()
                  .count(
                      TenantScope.of(caller, "tenant-" + r.nextInt(3)),
                      new EventQuery("decision:deny", new TimeRange(end.minus(w.getValue()), end)));
            });
      }

      // Exports: each format once over the first hour to warm up (untimed), then three rounds of
      // all three over eight hours, formats alternating, so a drift of the machine touches every
      // format alike; the medians and their ratios to NDJSON are what to compare.
      TimeRange warmUp = new TimeRange(start, start.plus(Duration.ofHours(1)));
      TimeRange slice = new TimeRange(start, start.plus(Duration.ofHours(8)));
      List<String> formats =
          List.of("ndjson", "csv", "ocsf").stream()
              .filter(f -> only.isEmpty() || only.stream().anyMatch(("export " + f)::contains))
              .toList();
      for (Side side : sides) {
        Map<String, List<Double>> rates = new java.util.TreeMap<>();
        for (String format : formats) {
          export(side.store(), caller, format, warmUp);
        }
        for (int round = 1; round <= 3; round++) {
          for (String format : formats) {
            long e0 = System.nanoTime();
            long rows = export(side.store(), caller, format, slice);
            double rate = rows / ((System.nanoTime() - e0) / 1e9);
            rates.computeIfAbsent(format, k -> new ArrayList<>()).add(rate);
            System.out.printf(
                "query: export %s%s, round %d: %,d rows at %,.0f rows/s%n",
                format, side.label(), round, rows, rate);
          }
        }
        double ndjson = rates.containsKey("ndjson") ? median(rates.get("ndjson")) : Double.NaN;
        for (String format : formats) {
          double m = median(rates.get(format));
          System.out.printf(
              "query: export %s%s: median %,.0f rows/s, %.2f of NDJSON's%n",
              format, side.label(), m, m / ndjson);
        }
      }
    }
    if (kept == null) {
      deleteTree(dir);
    }
  }

  /** One export of tenant-0's events in {@code range}, as the endpoint writes it; its rows. */
  private static long export(EventStore store, Caller caller, String format, TimeRange range)
      throws Exception {
    ExportFormat f = ExportFormat.named(format, "bench").orElseThrow();
    OutputStream out = new BufferedOutputStream(OutputStream.nullOutputStream(), 64 * 1024);
    f.header(out);
    long rows =
        store
            .export(
                TenantScope.of(caller, "tenant-0"), new EventQuery(null, range), f.decisionsOnly())
            .writeTo((json, provenance) -> f.writeStored(json, provenance, out));
    out.flush();
    return rows;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** One store under measurement, and the label its figures carry. */
  private record Side(String label, EventStore store, DecisionSearch search) {}

  interface Query {
    void run(Side side, SplittableRandom r) throws Exception;
  }

  interface Timed {
    void run() throws Exception;
  }

  interface Measure {
    void run(String what, int runs, Query q) throws Exception;
  }

  private static void measure(String what, int runs, Timed q) throws Exception {
    for (int i = 0; i < 20; i++) {
      q.run(); // warm-up
    }
    long[] t = new long[runs];
    for (int i = 0; i < runs; i++) {
      long s = System.nanoTime();
      q.run();
      t[i] = System.nanoTime() - s;
    }
    System.out.println("query: " + what + ": " + Percentiles.of(t));
  }

  /** Builds the index and returns the bytes of raw JSON it holds. */
  private static long build(Path dir, int n, Instant start, StoredCompression compression)
      throws Exception {
    long rawBytes = 0;
    SyntheticEvents gen = new SyntheticEvents(10_000, start);
    int chunk = 200_000;
    try (EventIndex index = EventIndex.open(dir, 256, compression);
        ExecutorService pool = Executors.newFixedThreadPool(2)) {
      for (int from = 0; from < n; from += chunk) {
        int size = Math.min(chunk, n - from);
        List<byte[]> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          AuthzEvent e = gen.next();
          byte[] raw = EventCodec.encode(e);
          rawBytes += raw.length;
          batch.add(raw);
        }
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          List<byte[]> mine = batch.subList(t * size / 2, (t + 1) * size / 2);
          int base = from + t * size / 2;
          parts.add(
              pool.submit(
                  () -> {
                    int i = base;
                    for (byte[] raw : mine) {
                      JsonNode tree = EventCodec.mapper().readTree(raw);
                      index.append(
                          IndexSchema.document(tree, raw, new IndexSchema.Origin(0, i++, 0)));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : parts) {
          f.get();
        }
      }
      index.commit(Map.of());
    }
    return rawBytes;
  }

  private static long size(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
