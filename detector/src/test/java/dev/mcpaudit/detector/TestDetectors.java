package dev.mcpaudit.detector;

import static org.awaitility.Awaitility.await;

import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.TestStamps;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A detector on a test broker, and records written to it the way a producer would. */
final class TestDetectors {
  private TestDetectors() {}

  /** Started embedded, and waited for until ready. */
  static DetectorService start(
      String bootstrap,
      String decisions,
      String alerts,
      String appId,
      Path state,
      Map<String, String> more) {
    Map<String, String> s = new HashMap<>(more);
    s.put("kafka.bootstrap-servers", bootstrap);
    s.put("topics.decisions", decisions);
    s.put("topics.alerts", alerts);
    s.put("detector.application-id", appId);
    s.put("detector.state-dir", state.toString());
    s.put("detector.port", "0");
    DetectorService d =
        DetectorService.embedded(
            DetectorConfig.from(Settings.of(TestStamps.with(s))), new SimpleMeterRegistry());
    await().atMost(Duration.ofMinutes(2)).until(() -> d.health().ready());
    return d;
  }

  /**
   * @param partition where every event goes, or null for the topic's partitioning (by handle)
   */
  static void publish(String bootstrap, String topic, Integer partition, List<AuthzEvent> events) {
    try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
      for (AuthzEvent e : events) {
        p.send(new ProducerRecord<>(topic, partition, e.partitionKey(), EventCodec.encode(e)));
      }
      p.flush();
    }
  }

  /** Bytes that skipped the collector. */
  static void publishRaw(String bootstrap, String topic, String key, byte[] value) {
    try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
      p.send(new ProducerRecord<>(topic, key, value));
      p.flush();
    }
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrap) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            ProducerConfig.LINGER_MS_CONFIG,
            20,
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4"),
        new StringSerializer(),
        new ByteArraySerializer());
  }
}
