package dev.mcpaudit.detector.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One nonce, one actor and one handle carrying 100,000 events: the work each event costs stays what
 * it was at the thousandth, the state of the key stays within its capacity, and each rule still
 * raises its alert once. Measured in state-store reads, never in wall time.
 */
class KeyFloodTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(T0.plus(Duration.ofDays(1)), ZoneOffset.UTC);
  private static final Topics TOPICS = Topics.defaults();
  private static final int EVENTS = 100_000;

  @TempDir Path state;

  @Test
  void aKeyWithAHundredThousandEventsCostsEachEventWhatItsThousandthDid() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-flood");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    DetectorMetrics metrics = DetectorMetrics.unregistered();
    Rules rules = Rules.defaults();
    try (TopologyTestDriver driver =
        new TopologyTestDriver(DetectionTopology.build(TOPICS, rules, metrics, CLOCK), p, T0)) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic(
              TOPICS.decisions(),
              new StringSerializer(),
              new ByteArraySerializer(),
              CLOCK.instant(),
              Duration.ZERO);
      // 3 ms apart: the whole flood lies within one suppression period, so each alert is due once.
      double[] readsAfter = new double[EVENTS + 1];
      for (int i = 0; i < EVENTS; i++) {
        Instant at = T0.plusMillis(3L * i);
        Ev e =
            i % 2 == 0 ? Ev.allow("a-" + i, at).worker("w-1") : Ev.deny("d-" + i, at).worker("w-2");
        if (i == EVENTS / 2) {
          e = Ev.lifecycle("revoke", EventKind.HANDLE_REVOKED, at);
        }
        var event = e.nonce(e.kind() == EventKind.DECISION ? "n-flood" : null).event();
        in.pipeInput(event.partitionKey(), EventCodec.encode(event));
        readsAfter[i + 1] = metrics.stateReadCount();
      }

      double early = readsAfter[2_000] - readsAfter[1_000];
      double late = readsAfter[EVENTS] - readsAfter[EVENTS - 1_000];
      System.out.printf(
          "state reads per event: events 1,000-2,000 %.1f, last 1,000 %.1f; not kept %.0f%n",
          early / 1_000, late / 1_000, metrics.notKeptCount());
      // Flat, give or take the revocation the later decisions also read.
      assertThat(late).isLessThanOrEqualTo(early * 1.05);
      int perEventBound =
          KeyCapacity.NONCE
              + KeyCapacity.HANDLE_FACTS
              + 2 * KeyCapacity.HANDLE_DECISIONS
              + KeyCapacity.denies(rules.denyBurstThreshold());
      assertThat(late / 1_000).isLessThanOrEqualTo(perEventBound);

      // What the flooded keys hold: a capacity per range, not an entry per event.
      // (The nonce and the actor are the only keys of their stores.)
      String handleKey = Observation.key("tenant-a", "h-1");
      long span = 3L * EVENTS;
      assertThat(entries(driver.getKeyValueStore(ReplayProcessor.NONCES)))
          .isEqualTo(KeyCapacity.NONCE);
      long windows = span / rules.inconsistencyWindow().toMillis() + 1;
      assertThat(entries(driver.getWindowStore(HandleProcessor.DECISIONS), handleKey))
          .isLessThanOrEqualTo(windows * KeyCapacity.HANDLE_DECISIONS);
      long burstWindows = span / rules.denyBurstWindow().toMillis() + 1;
      assertThat(entries(driver.getKeyValueStore(DenyBurstProcessor.DENIES)))
          .isLessThanOrEqualTo(burstWindows * KeyCapacity.denies(rules.denyBurstThreshold()));

      List<Alert> alerts =
          driver
              .createOutputTopic(
                  TOPICS.alerts(),
                  new StringDeserializer(),
                  JsonSerde.of(Alert.class).deserializer())
              .readValuesToList();
      Map<AlertType, Long> byType =
          alerts.stream().collect(Collectors.groupingBy(Alert::type, Collectors.counting()));
      assertThat(byType)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  AlertType.REPLAY, 1L,
                  AlertType.DENY_BURST, 1L,
                  AlertType.INCONSISTENT_DECISION, 1L,
                  AlertType.REVOKED_HANDLE_USE, 1L));
      Map<AlertType, Alert> one =
          alerts.stream().collect(Collectors.toMap(Alert::type, Function.identity()));
      assertThat(one.get(AlertType.REPLAY).evidence()).startsWith("a-0", "d-1");
      assertThat(one.get(AlertType.REVOKED_HANDLE_USE).evidence()).startsWith("revoke");
    }
  }

  private static long entries(KeyValueStore<?, ?> store) {
    long n = 0;
    try (KeyValueIterator<?, ?> it = store.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  private static long entries(WindowStore<String, ?> store, String key) {
    long n = 0;
    try (WindowStoreIterator<?> it = store.fetch(key, 0L, Long.MAX_VALUE)) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }
}
