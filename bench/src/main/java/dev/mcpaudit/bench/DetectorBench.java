package dev.mcpaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.detector.DetectorConfig;
import dev.mcpaudit.detector.DetectorService;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Handle;
import dev.mcpaudit.testkit.SyntheticEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The detector's figures: (a) events/s while it works off a backlog of N events (exactly-once,
 * RocksDB stores, both repartitions); (b) event-to-alert latency at a steady 5,000 events/s: from
 * the send of the allow that makes a revoked-handle use to the alert being readable
 * (read_committed) on the alerts topic, for one such incident every 100 ms.
 */
final class DetectorBench {
  private static final int STEADY_RATE = 5_000;
  private static final Duration STEADY_FOR = Duration.ofSeconds(60);

  private DetectorBench() {}

  static void run(BenchArgs args) throws Exception {
    int n = args.eventsGiven() ? args.events() : 500_000;
    try (BenchBroker kafka =
        new BenchBroker(4, List.of("d", "alerts", "steady", "steady.alerts"))) {
      publishBacklog(kafka, n);
      long start = System.nanoTime();
      try (DetectorService detector =
          DetectorService.embedded(
              config(kafka, "d", "alerts", "bench-backlog", args), new SimpleMeterRegistry())) {
        while (consumed(kafka, "bench-backlog", "d") < n || detector.backlog() > 0) {
          LockSupport.parkNanos(200_000_000);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "detector: (a) backlog of %,d events worked off in %.1f s (start-up included): %,.0f events/s%n",
            n, secs, n / secs);
      }
      steady(kafka, args);
    }
  }

  private static DetectorConfig config(
      BenchBroker kafka, String in, String out, String app, BenchArgs args) throws Exception {
    Map<String, String> s =
        new HashMap<>(
            Map.of(
                "kafka.bootstrap-servers",
                kafka.broker.bootstrapServers(),
                "topics.decisions",
                in,
                "topics.alerts",
                out,
                "detector.application-id",
                app,
                "detector.state-dir",
                kafka.scratch("state-" + app).toString()));
    s.putAll(args.settings());
    return DetectorConfig.from(Settings.of(s));
  }

  private static KafkaProducer<String, byte[]> producer(BenchBroker kafka) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.broker.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            "lz4",
            ProducerConfig.LINGER_MS_CONFIG,
            5),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  private static void publishBacklog(BenchBroker kafka, int n) {
    SyntheticEvents gen = new SyntheticEvents(7, Instant.now().minus(Duration.ofHours(6)));
    try (KafkaProducer<String, byte[]> p = producer(kafka)) {
      for (int i = 0; i < n; i++) {
        AuthzEvent e = gen.next();
        p.send(new ProducerRecord<>("d", e.partitionKey(), EventCodec.encode(e)));
      }
      p.flush();
    }
    System.out.printf("detector: published a backlog of %,d synthetic events%n", n);
  }

  private static long consumed(BenchBroker kafka, String group, String topic) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.broker.bootstrapServers()))) {
      return admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get()
          .entrySet()
          .stream()
          .filter(e -> e.getKey().topic().equals(topic))
          .mapToLong(e -> e.getValue().offset())
          .sum();
    }
  }

  private static void steady(BenchBroker kafka, BenchArgs args) throws Exception {
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean reading = new AtomicBoolean(true);
    Thread reader =
        Thread.ofPlatform()
            .name("bench-alert-reader")
            .start(() -> readAlerts(kafka, sentAt, latencies, reading));
    try (DetectorService detector =
            DetectorService.embedded(
                config(kafka, "steady", "steady.alerts", "bench-steady", args),
                new SimpleMeterRegistry());
        KafkaProducer<String, byte[]> p = producer(kafka)) {
      while (!detector.health().ready()) {
        LockSupport.parkNanos(100_000_000);
      }
      SyntheticEvents gen = new SyntheticEvents(8, Instant.now());
      long begin = System.nanoTime();
      long sent = 0;
      int incident = 0;
      while (System.nanoTime() - begin < STEADY_FOR.toNanos()) {
        long due = begin + sent * 1_000_000_000L / STEADY_RATE;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        AuthzEvent e = gen.next();
        // The generator's clock runs at 100 events/s; re-stamp to now so event time is real time.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        p.send(
            new ProducerRecord<>("steady", e.partitionKey(), EventCodec.encode(restamp(e, now))));
        sent++;
        if (sent % (STEADY_RATE / 10) == 0) {
          String h = "h-bench-revoked-" + incident++;
          p.send(
              new ProducerRecord<>(
                  "steady", h, EventCodec.encode(RevokedHandleUse.revoked(h, now))));
          sentAt.put(h, System.nanoTime());
          p.send(
              new ProducerRecord<>("steady", h, EventCodec.encode(RevokedHandleUse.used(h, now))));
        }
      }
      double secs = (System.nanoTime() - begin) / 1e9;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (latencies.size() < incident && System.nanoTime() < deadline) {
        LockSupport.parkNanos(100_000_000);
      }
      reading.set(false);
      reader.join();
      long[] ns = latencies.stream().mapToLong(Long::longValue).toArray();
      System.out.printf(
          "detector: (b) steady %,.0f events/s for %.0f s with %d revoked-handle uses: %d alerts seen, event-to-alert %s%n",
          sent / secs, secs, incident, ns.length, ns.length == 0 ? "n/a" : Percentiles.of(ns));
    }
  }

  private static void readAlerts(
      BenchBroker kafka, Map<String, Long> sentAt, List<Long> latencies, AtomicBoolean reading) {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-alert-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      c.subscribe(List.of("steady.alerts"));
      while (reading.get()) {
        for (var r : c.poll(Duration.ofMillis(50))) {
          long seen = System.nanoTime();
          try {
            JsonNode a = EventCodec.mapper().readTree(r.value());
            Long sent = sentAt.get(a.get("subject").asText());
            if (sent != null && a.get("type").asText().equals("REVOKED_HANDLE_USE")) {
              latencies.add(seen - sent);
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    }
  }

  private static AuthzEvent restamp(AuthzEvent e, Instant at) {
    Handle h =
        e.handle() == null
            ? null
            : new Handle(
                e.handle().id(),
                e.handle().task(),
                at.minusSeconds(600),
                at.plusSeconds(3000),
                e.handle().scopes(),
                e.handle().issuer(),
                null);
    return e.toBuilder().occurredAt(at).receivedAt(null).handle(h).build();
  }
}
