package dev.mcpaudit.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.detector.topology.JsonSerde;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 72 hours of decisions over three partitions, published as fast as the producer can and worked off
 * by a detector started afterwards: what happens after a detector outage, when a gateway's spool
 * drains, or when history is loaded. Partition 0 holds only the last 12 hours, so from its first
 * record it runs 60 hours ahead of partitions 1 and 2, whose first hour holds one incident of every
 * type (the replay and the deny burst across both). Every incident must raise exactly one alert,
 * clean traffic none, no record may be judged late or dropped by Kafka Streams, and a second
 * detector over the same records must raise the same alert ids.
 */
class HistoryCatchUpIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @TempDir Path dir;

  @Test
  void seventyTwoHoursWorkedOffAtOnceGiveOneAlertPerIncidentTheSameTwice() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("history-decisions");
    kafka.createTopics(3, decisions);
    // Relative to now: the broker deletes records by timestamp against its own clock.
    Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(80));
    Incidents history = history(base);
    for (int p = 0; p < 3; p++) {
      TestDetectors.publish(kafka.bootstrapServers(), decisions, p, history.sendsTo(p));
    }

    List<Alert> first = detect(decisions, "a", history.expected.size());
    assertThat(first.stream().map(Alert::alertId)).doesNotHaveDuplicates();
    assertThat(
            first.stream()
                .map(a -> new Incidents.Expected(a.type(), a.subject()))
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(history.expected);
    assertThat(first).hasSize(history.expected.size());

    List<Alert> second = detect(decisions, "b", history.expected.size());
    assertThat(second.stream().map(Alert::alertId).sorted().toList())
        .isEqualTo(first.stream().map(Alert::alertId).sorted().toList());
  }

  /**
   * Clean traffic on every partition (partition 0 from hour 60 on only) and twelve incidents: all
   * six types in the first hour of partitions 1 and 2, more later on each partition.
   */
  private static Incidents history(Instant base) {
    Incidents h = new Incidents();
    List<AuthzEvent> p1 = clean(h, 1, new SyntheticEvents(101, base, Duration.ofSeconds(8)), 72);
    List<AuthzEvent> p2 = clean(h, 2, new SyntheticEvents(102, base, Duration.ofSeconds(8)), 72);
    clean(
        h, 0, new SyntheticEvents(100, base.plus(Duration.ofHours(60)), Duration.ofSeconds(2)), 12);

    // The first hour of partitions 1 and 2.
    h.into(1).replayOnto(firstAfter(p1, base.plus(Duration.ofMinutes(40))), 2);
    h.denyBurst(base.plus(Duration.ofMinutes(45)), 0, 1, 2);
    h.into(1).revokedUse(base.plus(Duration.ofMinutes(30)), 0, true);
    h.into(2).expiredUse(base.plus(Duration.ofMinutes(35)), 0);
    h.into(1).inconsistentPair(base.plus(Duration.ofMinutes(50)), 0);
    // Published among the first hour, dated two hours past the detector's clock.
    h.into(1)
        .futureDated(base.plus(Duration.ofMinutes(20)), Instant.now().plus(Duration.ofHours(2)), 0);

    // Later, the ahead partition included.
    h.into(2).replayOnto(firstAfter(p2, base.plus(Duration.ofHours(30))), 1);
    h.into(1).replayOnto(firstAfter(p1, base.plus(Duration.ofHours(61))), 0);
    h.denyBurst(base.plus(Duration.ofHours(62)), 1, 0, 1);
    h.into(0).revokedUse(base.plus(Duration.ofHours(63)), 1, false);
    h.into(1).expiredUse(base.plus(Duration.ofHours(36)), 1);
    h.into(0).inconsistentPair(base.plus(Duration.ofHours(64)), 1);
    return h;
  }

  private static List<AuthzEvent> clean(
      Incidents h, int partition, SyntheticEvents gen, int hours) {
    h.into(partition);
    Instant end = null;
    List<AuthzEvent> out = new java.util.ArrayList<>();
    while (true) {
      AuthzEvent e = gen.next();
      if (end == null) {
        end = e.occurredAt().plus(Duration.ofHours(hours));
      }
      if (e.occurredAt().isAfter(end)) {
        return out;
      }
      h.clean(e);
      out.add(e);
    }
  }

  private static AuthzEvent firstAfter(List<AuthzEvent> events, Instant t) {
    return events.stream()
        .filter(e -> !e.occurredAt().isBefore(t) && e.request() != null)
        .findFirst()
        .orElseThrow();
  }

  /** A detector of its own, started on the whole history; its alerts once it has caught up. */
  private List<Alert> detect(String decisions, String name, int expected) throws Exception {
    String alerts = KafkaBrokerExtension.uniqueTopic("history-alerts-" + name);
    kafka.createTopics(3, alerts);
    Instant started = Instant.now();
    try (DetectorService detector =
        TestDetectors.start(
            kafka.bootstrapServers(),
            decisions,
            alerts,
            "history-it-" + name + "-" + decisions,
            dir.resolve(name),
            Map.of())) {
      // Caught up, repartitions included, by a measurement taken after the start.
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  detector.lag().map(s -> s.at().isAfter(started) && s.records() == 0).orElse(false)
                      && detector.backlog() == 0);
      var serde = JsonSerde.of(Alert.class);
      // One more than expected: the deadline is the settle time in which an extra alert shows.
      List<Alert> raised =
          TopicReader.readAll(
                  kafka.bootstrapServers(), alerts, expected + 1, Duration.ofSeconds(10))
              .stream()
              .map(r -> serde.deserializer().deserialize(alerts, r.value()))
              .toList();
      assertThat(detector.metrics().lateCount()).as("judged late").isZero();
      assertThat(detector.droppedRecords()).as("dropped by Kafka Streams").isZero();
      assertThat(detector.metrics().futureCount()).isEqualTo(1);
      return raised;
    }
  }
}
