package dev.mcpaudit.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.detector.topology.Ev;
import dev.mcpaudit.detector.topology.JsonSerde;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One partition of the decisions topic 100 hours ahead of the others, as when one gateway's spool
 * drains or history is loaded: the repartitioned rules must still see the others' first hour. With
 * the window stores ({@code detector.backlog-proof-state=false}) this test fails: the replay task
 * has seen nonces 100 h ahead, its store's segments for the first hour are gone, and the replay
 * across partitions 1 and 2 is silently missed. The time-keyed stores keep it.
 */
class BacklogSkewIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @TempDir Path dir;

  @Test
  void aPartitionHundredHoursAheadBlindsNoRuleToTheOthersFirstHour() throws Exception {
    String decisions = KafkaBrokerExtension.uniqueTopic("skew-decisions");
    String alerts = KafkaBrokerExtension.uniqueTopic("skew-alerts");
    kafka.createTopics(3, decisions, alerts);
    // Relative to now: the broker deletes records by timestamp against its own clock.
    Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(110));
    try (DetectorService detector =
        TestDetectors.start(
            kafka.bootstrapServers(),
            decisions,
            alerts,
            "skew-it-" + decisions,
            dir,
            Map.of("detector.backlog-proof-state", "true"))) {

      // Partition 0 runs 100 hours ahead (further than a window store keeps nonces, 49 h plus a
      // segment): clean traffic every 15 minutes, every other one a deny.
      List<AuthzEvent> ahead = new ArrayList<>();
      for (int i = 0; i <= 400; i++) {
        Instant at = base.plus(Duration.ofMinutes(15L * i));
        Ev e = i % 2 == 0 ? Ev.allow("p0-" + i, at) : Ev.deny("p0-" + i, at);
        ahead.add(e.handle("h-p0-" + i).actor("spiffe://ex/agent/p0").event());
      }
      Instant sent = Instant.now();
      send(decisions, 0, ahead);
      // Judged, repartitions included, by a measurement taken after the send.
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  detector.lag().map(s -> s.at().isAfter(sent) && s.records() == 0).orElse(false)
                      && detector.backlog() == 0);

      // Then the other partitions' first hour: a replay across two of them, and a deny burst.
      Instant t = base.plus(Duration.ofHours(1));
      send(
          decisions,
          1,
          List.of(Ev.allow("r-1", t).nonce("n-skew").handle("h-r1").worker("w-1").event()));
      send(
          decisions,
          2,
          List.of(
              Ev.allow("r-2", t.plusSeconds(3))
                  .nonce("n-skew")
                  .handle("h-r2")
                  .worker("w-2")
                  .event()));
      List<AuthzEvent> burst = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        burst.add(
            Ev.deny("b-" + i, t.plusSeconds(10 + i))
                .handle("h-b")
                .actor("spiffe://ex/agent/burst")
                .event());
      }
      send(decisions, 1, burst);

      var serde = JsonSerde.of(Alert.class);
      List<Alert> raised =
          TopicReader.readAll(kafka.bootstrapServers(), alerts, 3, Duration.ofSeconds(30)).stream()
              .map(r -> serde.deserializer().deserialize(alerts, r.value()))
              .toList();
      assertThat(raised)
          .extracting(a -> a.type() + " " + a.subject())
          .containsExactlyInAnyOrder("REPLAY n-skew", "DENY_BURST spiffe://ex/agent/burst");
      assertThat(detector.metrics().lateCount()).isZero();
    }
  }

  private void send(String topic, int partition, List<AuthzEvent> events) {
    TestDetectors.publish(kafka.bootstrapServers(), topic, partition, events);
  }
}
