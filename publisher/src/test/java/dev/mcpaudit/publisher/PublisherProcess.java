package dev.mcpaudit.publisher;

import dev.mcpaudit.testkit.SyntheticEvents;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;

/**
 * A publisher in its own JVM, so a test can kill it with SIGKILL. Modes: {@code publish <bootstrap>
 * <topic> <spool> <seed> <count>}: publish, print "SPOOLED n", wait to be killed; {@code drain
 * <bootstrap> <topic> <spool>}: open the spool, print "DRAINED n" once Kafka acknowledged
 * everything in it, exit.
 */
public final class PublisherProcess {
  private PublisherProcess() {}

  public static void main(String[] args) throws Exception {
    DecisionPublisher publisher =
        DecisionPublisher.builder()
            .bootstrapServers(args[1])
            .topic(args[2])
            .spoolDirectory(Path.of(args[3]))
            .clientId("crash-test")
            .closeTimeout(Duration.ofSeconds(30))
            .build();
    if (args[0].equals("publish")) {
      SyntheticEvents gen =
          new SyntheticEvents(Long.parseLong(args[4]), Instant.now().minus(Duration.ofHours(2)));
      int count = Integer.parseInt(args[5]);
      for (int i = 0; i < count; i++) {
        publisher.publish(gen.next());
      }
      System.out.println("SPOOLED " + publisher.metrics().spooled());
      System.out.flush();
      while (true) {
        LockSupport.park(); // until SIGKILL
      }
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (publisher.metrics().spooled() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50); // polling a counter in a throwaway child process, not a test wait
    }
    long sent = publisher.metrics().sent();
    publisher.close();
    System.out.println("DRAINED " + sent);
    System.exit(publisher.metrics().spooled() == 0 ? 0 : 3);
  }
}
