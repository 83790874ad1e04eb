package dev.mcpaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.indexer.IndexerConfig;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The indexer's reference line: raw Lucene parse + index of the bench's events with the indexer's
 * schema and stored-fields codec on 2 threads, no Kafka and no validation. {@code bench/run lucene}
 * runs it alone in its JVM; {@code bench/run indexer} runs the same code in a JVM of its own (same
 * flags) before its broker starts, so line (a) shares neither heap nor cores with the broker.
 */
final class LuceneBench {
  /** The line the forked run prints last, for the parent to read: rate, live bytes. */
  private static final String RESULT = "lucene-result ";

  record Result(double eventsPerSecond, long liveBytes) {}

  private LuceneBench() {}

  static void run(BenchArgs args) throws Exception {
    int n = args.events();
    StoredCompression compression = IndexerConfig.storedCompression(Settings.of(args.settings()));
    String kept = args.settings().get("bench.index-dir");
    Path dir = kept != null ? Path.of(kept) : Files.createTempDirectory("mcp-audit-lucene-bench");
    try {
      Result r = index(dir.resolve("raw"), n, compression);
      System.out.printf(
          "lucene: %,d events, parse + index (addDocument), 2 threads, %s stored fields: %,.0f events/s; "
              + "index %,d bytes = %.0f B/event (live files of the commit)%n",
          n, compression, r.eventsPerSecond(), r.liveBytes(), r.liveBytes() / (double) n);
      System.out.println(RESULT + r.eventsPerSecond() + " " + r.liveBytes());
    } finally {
      if (kept == null) {
        deleteTree(dir);
      }
    }
  }

  /** Runs {@code bench/run lucene} in a child JVM with this JVM's flags and class path. */
  static Result forked(int n, Map<String, String> settings, Path scratch)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Bench.class.getName(),
            "lucene",
            "--events",
            String.valueOf(n)));
    settings.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
    cmd.addAll(List.of("--set", "bench.index-dir=" + scratch));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Result result = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith(RESULT)) {
          String[] f = line.substring(RESULT.length()).split(" ");
          result = new Result(Double.parseDouble(f[0]), Long.parseLong(f[1]));
        }
      }
    }
    int exit = p.waitFor();
    if (exit != 0 || result == null) {
      throw new IllegalStateException(
          "the forked raw Lucene run exited " + exit + " without a result");
    }
    return result;
  }

  /**
   * The bench's events (same seed and start as the indexer bench publishes), indexed into {@code
   * dir}.
   */
  static Result index(Path dir, int n, StoredCompression compression) throws Exception {
    SyntheticEvents gen = new SyntheticEvents(2_000, Instant.now().minus(Duration.ofDays(3)));
    int chunk = 100_000;
    long start;
    double rate;
    try (EventIndex index = EventIndex.open(dir, 128, compression);
        ExecutorService pool = Executors.newFixedThreadPool(2)) {
      start = System.nanoTime();
      for (int from = 0; from < n; from += chunk) {
        // Encoding is the publisher's work, not indexing: done outside the timed part per chunk.
        int size = Math.min(chunk, n - from);
        List<byte[]> batch = new ArrayList<>(size);
        long pause = System.nanoTime();
        for (int i = 0; i < size; i++) {
          batch.add(EventCodec.encode(gen.next()));
        }
        start += System.nanoTime() - pause;
        List<Future<?>> parts = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          List<byte[]> mine = batch.subList(t * size / 2, (t + 1) * size / 2);
          parts.add(
              pool.submit(
                  () -> {
                    for (byte[] raw : mine) {
                      JsonNode tree = EventCodec.mapper().readTree(raw);
                      index.append(
                          IndexSchema.document(tree, raw, new IndexSchema.Origin(0, 0, 0)));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : parts) {
          f.get();
        }
      }
      index.commit(Map.of());
      rate = n / ((System.nanoTime() - start) / 1e9);
    }
    return new Result(rate, LiveSize.of(dir));
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
