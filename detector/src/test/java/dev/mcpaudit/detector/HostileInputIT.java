package dev.mcpaudit.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.detector.topology.Ev;
import dev.mcpaudit.detector.topology.JsonSerde;
import dev.mcpaudit.runtime.health.Health;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detector against a real broker and records an attacker can write: with a source token (a
 * decision dated an hour ahead) or straight to the decisions topic (records that are not contract
 * events). Neither blinds it nor stops it.
 */
class HostileInputIT {
  @RegisterExtension static final KafkaBrokerExtension kafka = KafkaBrokerExtension.shared();

  @TempDir Path dir;

  @Test
  void aDecisionDatedAnHourAheadBlindsNothingAndIsReportedForItsSource() throws Exception {
    Topics t = topics("future");
    try (DetectorService detector = start(t)) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      // All on handle h-1, so all on one partition (the decisions topic is keyed by handle).
      send(
          t.decisions,
          Ev.deny("poison", now.plus(Duration.ofMinutes(55))).worker("w-evil").event());
      send(
          t.decisions,
          Ev.allow("use-1", now.minusSeconds(10)).nonce("n-replayed").worker("w-1").event(),
          Ev.allow("use-2", now.minusSeconds(8)).nonce("n-replayed").worker("w-2").event(),
          Ev.lifecycle("revoke", EventKind.HANDLE_REVOKED, now.minusSeconds(6)).event(),
          Ev.allow("after-revoke", now.minusSeconds(4)).worker("w-1").event());

      List<Alert> raised = alerts(t, 3);
      assertThat(raised)
          .extracting(a -> a.type() + " " + a.subject())
          .containsExactlyInAnyOrder(
              "REPLAY n-replayed", "REVOKED_HANDLE_USE h-1", "FUTURE_TIMESTAMP gw-1/w-evil");
      assertThat(raised)
          .filteredOn(a -> a.type() == AlertType.REVOKED_HANDLE_USE)
          .singleElement()
          .satisfies(a -> assertThat(a.evidence()).containsExactly("revoke", "after-revoke"));
      assertThat(detector.metrics().futureCount()).isEqualTo(1);
      assertThat(detector.metrics().lateCount()).isZero();
    }
  }

  @Test
  void recordsThatSkippedTheCollectorAreCountedAndDetectionGoesOn() throws Exception {
    Topics t = topics("raw");
    try (DetectorService detector = start(t)) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      AuthzEvent allow = Ev.allow("a-1", now.minusSeconds(30)).worker("w-1").event();
      // A deny from another worker without reason_code: JSON, not a contract event; the
      // inconsistency rule would have met it beside the allow.
      String denyWithoutReason =
          EventCodec.encodeToString(Ev.deny("d-1", now.minusSeconds(29)).worker("w-2").event())
              .replaceFirst("\"reason_code\":\"[^\"]*\",", "");
      assertThat(denyWithoutReason).doesNotContain("reason_code");
      send(t.decisions, allow);
      sendRaw(t.decisions, allow.partitionKey(), denyWithoutReason);
      sendRaw(t.decisions, allow.partitionKey(), "{\"event_id\": not json");
      await().atMost(Duration.ofMinutes(1)).until(() -> detector.metrics().unreadableCount() == 2);

      send(
          t.decisions,
          Ev.allow("r-1", now.minusSeconds(5)).nonce("n-after").worker("w-1").event(),
          Ev.allow("r-2", now.minusSeconds(4)).nonce("n-after").worker("w-2").event());
      assertThat(alerts(t, 1))
          .extracting(a -> a.type() + " " + a.subject())
          .containsExactly("REPLAY n-after");
      assertThat(detector.metrics().unreadableCount()).isEqualTo(2);
      // The skipped records count as judged: nothing waits behind them.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> detector.lag().map(s -> s.records() == 0).orElse(false));
      assertThat(detector.health()).isEqualTo(Health.READY);
    }
  }

  private record Topics(String decisions, String alerts, String appId) {}

  private Topics topics(String name) {
    String decisions = KafkaBrokerExtension.uniqueTopic("hostile-" + name + "-decisions");
    String alerts = KafkaBrokerExtension.uniqueTopic("hostile-" + name + "-alerts");
    kafka.createTopics(4, decisions, alerts);
    return new Topics(decisions, alerts, "hostile-it-" + decisions);
  }

  private DetectorService start(Topics t) {
    return TestDetectors.start(
        kafka.bootstrapServers(), t.decisions, t.alerts, t.appId, dir.resolve(t.appId), Map.of());
  }

  private void send(String topic, AuthzEvent... events) {
    TestDetectors.publish(kafka.bootstrapServers(), topic, null, List.of(events));
  }

  private void sendRaw(String topic, String key, String value) {
    TestDetectors.publishRaw(
        kafka.bootstrapServers(), topic, key, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The alerts raised: prints how soon the expected ones were there, then waits for one more than
   * expected (an extra one would show meanwhile).
   */
  private List<Alert> alerts(Topics t, int expected) {
    long start = System.nanoTime();
    TopicReader.readAll(kafka.bootstrapServers(), t.alerts, expected, Duration.ofSeconds(60));
    System.out.printf(
        "%d alert(s) on the topic %d ms after the events were sent%n",
        expected, (System.nanoTime() - start) / 1_000_000);
    var serde = JsonSerde.of(Alert.class);
    return TopicReader.readAll(
            kafka.bootstrapServers(), t.alerts, expected + 1, Duration.ofSeconds(15))
        .stream()
        .map(r -> serde.deserializer().deserialize(t.alerts, r.value()))
        .toList();
  }
}
