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
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-expiry");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, own.toString());
    Topics topics = Topics.defaults();
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            DetectionTopology.build(
                topics,
                rules,
                DetectorMetrics.unregistered(),
                Clock.fixed(t0.plus(Duration.ofDays(3)), ZoneOffset.UTC)),
            p,
            t0)) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic(
              topics.decisions(),
              new StringSerializer(),
              new ByteArraySerializer(),
              t0.plus(Duration.ofDays(3)),
              Duration.ZERO);
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
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "detector-sweep");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, own.toString());
    Topics topics = Topics.defaults();
    Instant now = t0.plus(Duration.ofDays(3));
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            DetectionTopology.build(
                topics, rules, DetectorMetrics.unregistered(), Clock.fixed(now, ZoneOffset.UTC)),
            p,
            t0)) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic(
              topics.decisions(),
              new StringSerializer(),
              new ByteArraySerializer(),
              now,
              Duration.ZERO);
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
