package dev.mcpaudit.detector.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rule case again, with the repartitioned rules' state in time-keyed stores: on traffic
 * without partition skew they must judge exactly as the window stores do. And their entries go once
 * the source partitions have passed them by the rule's memory, not before.
 */
class BacklogProofStateTest extends DetectionTopologyTest {
  @Override
  Rules rules() {
    return Rules.defaults().withBacklogProofState(true);
  }

  @TempDir Path own;

  @Test
  void entriesGoOnceEverySourcePartitionHasPassedThemByTheMemory() {
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    Rules rules = Rules.defaults().withBacklogProofState(true);
    Instant now = t0.plus(Duration.ofDays(3));
    try (TopologyTestDriver driver = driver("detector-expiry", rules, t0, now)) {
      TestInputTopic<String, byte[]> in = input(driver, now);
      KeyValueStore<Bytes, byte[]> nonces = driver.getKeyValueStore(ReplayProcessor.NONCES);
      send(in, Ev.allow("old", t0).nonce("n-old"));
      // Within the memory of the first: both kept.
      send(in, Ev.allow("mid", t0.plus(rules.nonceMemory())).nonce("n-mid"));
      driver.advanceWallClockTime(Duration.ofSeconds(15));
      assertThat(count(nonces)).isEqualTo(2);
      // Past it by the memory and the grace period: the first goes.
      send(
          in,
          Ev.allow("new", t0.plus(rules.nonceMemory()).plus(rules.grace()).plusSeconds(1))
              .nonce("n-new"));
      driver.advanceWallClockTime(Duration.ofSeconds(15));
      assertThat(count(nonces)).isEqualTo(2);
    }
  }

  @Test
  void aLargeStoreIsSweptASliceAtATimeUntilEveryExpiredEntryIsGone() {
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    Rules rules = Rules.defaults().withBacklogProofState(true);
    Instant now = t0.plus(Duration.ofDays(3));
    try (TopologyTestDriver driver = driver("detector-sweep", rules, t0, now)) {
      TestInputTopic<String, byte[]> in = input(driver, now);
      KeyValueStore<Bytes, byte[]> nonces = driver.getKeyValueStore(ReplayProcessor.NONCES);
      int old = 25_000;
      for (int i = 0; i < old; i++) {
        send(in, Ev.allow("old-" + i, t0.plusMillis(i)).nonce("n-old-" + i));
      }
      driver.advanceWallClockTime(Duration.ofSeconds(10));
      assertThat(count(nonces)).isEqualTo(old);
      Instant later = t0.plus(rules.nonceMemory()).plus(rules.grace()).plusSeconds(60);
      send(in, Ev.allow("new", later).nonce("n-new"));
      // One entry written since: the smallest slice, so the sweep takes several passes.
      driver.advanceWallClockTime(Duration.ofSeconds(10));
      long afterOne = count(nonces);
      // (The slice may begin with the one entry that stays.)
      assertThat(afterOne)
          .isBetween(old + 1L - TimeKeyedStore.MIN_SLICE, old + 2L - TimeKeyedStore.MIN_SLICE);
      for (int pass = 0; pass < 3; pass++) {
        driver.advanceWallClockTime(Duration.ofSeconds(10));
      }
      assertThat(count(nonces)).isEqualTo(1);
    }
  }

  /** The topology on a test driver whose detector clock reads {@code now}. */
  private TopologyTestDriver driver(String appId, Rules rules, Instant t0, Instant now) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, own.toString());
    return new TopologyTestDriver(
        DetectionTopology.build(
            Topics.defaults(),
            rules,
            DetectorMetrics.unregistered(),
            Clock.fixed(now, ZoneOffset.UTC)),
        p,
        t0);
  }

  /** The decisions topic, its records received by Kafka at {@code now}. */
  private static TestInputTopic<String, byte[]> input(TopologyTestDriver driver, Instant now) {
    return driver.createInputTopic(
        Topics.defaults().decisions(),
        new StringSerializer(),
        new ByteArraySerializer(),
        now,
        Duration.ZERO);
  }

  private static void send(TestInputTopic<String, byte[]> in, Ev e) {
    var event = e.event();
    in.pipeInput(event.partitionKey(), EventCodec.encode(event));
  }

  private static long count(KeyValueStore<Bytes, byte[]> store) {
    long n = 0;
    try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }
}
