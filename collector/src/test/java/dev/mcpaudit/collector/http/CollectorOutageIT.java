package dev.mcpaudit.collector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.KafkaBrokerExtension;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With Kafka gone the collector says 503 and acknowledges nothing; it recovers by itself. */
class CollectorOutageIT {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.dedicated();

  @Test
  void answers503WithRetryAfterWhileKafkaIsDownAndRecovers() {
    KAFKA.createTopics(2, "d", "dlq");
    try (Collector c =
        new Collector(
            KAFKA.bootstrapServers(), "d", "dlq", Map.of("collector.kafka-timeout", "3s"))) {
      SyntheticEvents gen = new SyntheticEvents(503, Instant.now());
      assertThat(c.ndjson(EventCodec.encodeToString(gen.next())).statusCode()).isEqualTo(202);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> c.get("/health/ready").statusCode() == 200);

      KAFKA.embeddedBroker().stop();
      try {
        AuthzEvent e = gen.next();
        HttpResponse<String> r = c.ndjson(EventCodec.encodeToString(e));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(r.body()).contains("nothing in it is acknowledged");
        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> c.get("/health/ready").statusCode() == 503);
        assertThat(c.get("/health/live").statusCode()).isEqualTo(200);
      } finally {
        KAFKA.embeddedBroker().start();
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> c.ndjson(EventCodec.encodeToString(gen.next())).statusCode() == 202);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> c.get("/health/ready").statusCode() == 200);
    }
  }
}
