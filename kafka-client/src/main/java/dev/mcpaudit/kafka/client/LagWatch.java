package dev.mcpaudit.kafka.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a group's {@link GroupLag} every few seconds on its own thread, so readers (a metrics
 * scrape, a readiness probe, an API request) never wait on Kafka: they get the latest measurement,
 * or why there is none.
 */
public final class LagWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LagWatch.class);

  private final GroupLag lag;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private volatile GroupLag.Snapshot latest;
  private volatile String problem = "not measured yet";

  private LagWatch(GroupLag lag, Clock clock, Duration every, String name) {
    this.lag = lag;
    this.clock = clock;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name(name).daemon(true).unstarted(r));
    thread.scheduleWithFixedDelay(this::measure, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * @param group the consumer group whose lag is measured (a Streams application's id)
   * @param topic the topic it reads
   */
  public static LagWatch start(
      KafkaClients kafka,
      String clientId,
      String group,
      String topic,
      Duration every,
      Clock clock) {
    return new LagWatch(new GroupLag(kafka, clientId, group, topic), clock, every, clientId);
  }

  private void measure() {
    try {
      latest = lag.measure(clock.instant());
      problem = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      String was = problem;
      problem = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (was == null) {
        log.warn("lag of group {} not measurable error={}", lag, problem);
      }
    }
  }

  /** The latest measurement, if one succeeded. */
  public Optional<GroupLag.Snapshot> latest() {
    return Optional.ofNullable(latest);
  }

  /** Why the latest attempt failed, if it did. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lag.close();
  }
}
