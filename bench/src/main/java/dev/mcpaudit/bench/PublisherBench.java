package dev.mcpaudit.bench;

import dev.mcpaudit.publisher.DecisionPublisher;
import dev.mcpaudit.publisher.Receipt;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** DecisionPublisher end to end: validate, spool, send, wait for every acknowledgement. */
final class PublisherBench {
  private PublisherBench() {}

  static void run(BenchArgs args) throws Exception {
    try (BenchBroker kafka = new BenchBroker(4, List.of("d"))) {
      SyntheticEvents gen = new SyntheticEvents(5, Instant.now().minus(Duration.ofHours(6)));
      List<AuthzEvent> events = new ArrayList<>(args.events());
      for (int i = 0; i < args.events(); i++) {
        events.add(gen.next());
      }
      try (DecisionPublisher p =
          DecisionPublisher.builder()
              .bootstrapServers(kafka.broker.bootstrapServers())
              .topic("d")
              .spoolDirectory(kafka.scratch("spool"))
              .build()) {
        List<CompletableFuture<Receipt>> warm = new ArrayList<>();
        for (int i = 0; i < Math.min(20_000, events.size()); i++) {
          warm.add(p.publish(events.get(i)));
        }
        CompletableFuture.allOf(warm.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);

        List<CompletableFuture<Receipt>> futures = new ArrayList<>(events.size());
        long start = System.nanoTime();
        for (AuthzEvent e : events) {
          futures.add(p.publish(e));
        }
        double publishS = (System.nanoTime() - start) / 1e9;
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "publisher: %,d events, one thread publishing: publish() returned at %,.0f events/s; "
                + "all acknowledged by Kafka at %,.0f events/s (fsync every 200 ms)%n",
            events.size(), events.size() / publishS, events.size() / s);
      }
    }
  }
}
