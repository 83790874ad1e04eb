package dev.mcpaudit.bench;

import dev.mcpaudit.app.simulate.BatchSender;
import dev.mcpaudit.app.simulate.DemoTraffic;
import dev.mcpaudit.app.simulate.Simulator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * What {@code mcp-audit simulate} can offer from one JVM: its generator (realistic traffic,
 * generated on one thread, encoded and sent on the connections' threads) asked for more than it can
 * make, into an endpoint in the same JVM that discards what it reads. Against a real collector the
 * collector is the bound; this is the generator's own.
 */
final class SimulateBench {
  private SimulateBench() {}

  static void run(BenchArgs args) throws Exception {
    double rate = Double.parseDouble(args.settings().getOrDefault("bench.rate", "200000"));
    int connections = Integer.parseInt(args.settings().getOrDefault("bench.connections", "4"));
    Duration length =
        Duration.ofSeconds(Long.parseLong(args.settings().getOrDefault("bench.seconds", "20")));
    try (DiscardingCollector sink = new DiscardingCollector(connections)) {
      DemoTraffic traffic =
          new DemoTraffic(
              7, DemoTraffic.agentsFor(rate), Instant.now().plusSeconds(2), Duration.ofSeconds(5));
      Simulator sim =
          new Simulator(
              sink.uri(), "x", rate, length, traffic, Clock.systemUTC(), connections, null);
      long start = System.nanoTime();
      Thread t = Thread.ofPlatform().name("bench-simulate").start(sim);
      // The first seconds warm the JIT; the figure is taken over the rest.
      LockSupport.parkNanos(Duration.ofSeconds(5).toNanos());
      BatchSender.Counts warm = sim.counts();
      long from = System.nanoTime();
      t.join();
      BatchSender.Counts end = sim.counts();
      double secs = (System.nanoTime() - from) / 1e9;
      System.out.printf(
          "simulate: asked %,.0f events/s over %d connections for %d s: %,.0f events/s sent and accepted "
              + "after a 5 s warm-up (%,d sent in all, %,d failed)%n",
          rate,
          connections,
          length.toSeconds(),
          (end.accepted() - warm.accepted()) / secs,
          end.sent(),
          end.failed());
      if (sim.lastError() != null) {
        System.out.println("simulate: last problem: " + sim.lastError());
      }
      System.out.printf("simulate: %.0f s in all%n", (System.nanoTime() - start) / 1e9);
    }
  }
}
