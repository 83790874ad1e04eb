package dev.mcpaudit.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry point of the benchmark harness. Each benchmark prints its figures and the parameters it ran
 * with, so a figure in an issue note can be reproduced with the same command.
 */
public final class Bench {
  private static final Map<String, String> BENCHMARKS =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry(
                  "detector",
                  "Kafka Streams detector: events/s working off a backlog; p50/p99 event-to-alert latency at a steady rate (--custom-rules N: again with N analysts' rules, same run)"),
              Map.entry(
                  "rules",
                  "analysts' rules matched per event as the detector binds it, one thread (--custom-rules N, default 100; --events N)"),
              Map.entry(
                  "codec",
                  "parse + validate + bind events (1 and 2 threads): the cost every stage pays per event"),
              Map.entry(
                  "collector",
                  "HTTP collector on loopback: NDJSON batches of 500 (events/s), single-event POST p50/p99"),
              Map.entry(
                  "pipeline",
                  "the quickstart's composition under stepped load over HTTP until a stage falls behind: rates, lags, latencies"),
              Map.entry(
                  "publisher",
                  "DecisionPublisher: publish through the spool until Kafka acknowledged every event"),
              Map.entry(
                  "indexer",
                  "raw Lucene vs Kafka -> indexer -> searchable (events/s, ratio), the same with the evidence log off and on, time to searchable at 5k/s, index size"),
              Map.entry(
                  "lucene",
                  "raw Lucene parse + index of the indexer bench's events, alone in its JVM: the reference line (a)"),
              Map.entry(
                  "evidence",
                  "the evidence log: appends/s, inclusion and consistency proofs built and checked/s, proof files checked/s (--events N leaves, default 1,000,000)"),
              Map.entry(
                  "simulate",
                  "mcp-audit simulate's generator into an endpoint that discards: the events/s it can offer from one JVM"),
              Map.entry(
                  "query",
                  "analyst queries on a 10M-event index (p50/p99) and export rows/s; --events N for another size")));

  private Bench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || !BENCHMARKS.containsKey(args[0])) {
      System.out.println("usage: bench/run <benchmark> [--events N]   (default 500,000 events)");
      BENCHMARKS.forEach((name, what) -> System.out.printf("  %-8s %s%n", name, what));
      System.exit(args.length == 0 || args[0].equals("--help") ? 0 : 2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "codec" -> CodecBench.run(BenchArgs.parse(rest));
      case "collector" -> CollectorBench.run(BenchArgs.parse(rest));
      case "pipeline" -> PipelineBench.run(BenchArgs.parse(rest));
      case "publisher" -> PublisherBench.run(BenchArgs.parse(rest));
      case "indexer" -> IndexerBench.run(BenchArgs.parse(rest));
      case "lucene" -> LuceneBench.run(BenchArgs.parse(rest));
      case "evidence" -> EvidenceBench.run(BenchArgs.parse(rest));
      case "simulate" -> SimulateBench.run(BenchArgs.parse(rest));
      case "query" -> QueryBench.run(BenchArgs.parse(rest));
      case "detector" -> DetectorBench.run(BenchArgs.parse(rest));
      case "rules" -> RulesBench.run(BenchArgs.parse(rest));
      default -> throw new IllegalStateException(args[0]);
    }
  }
}
