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
 *
 * <p>With {@code --custom-rules N}, both run twice in the same process, built-in rules only and
 * then with N analysts' rules over the three synthetic tenants (README, "Alert rules"), one of
 * which raises on a probe sent beside each revoked-handle use: its send → alert is reported too.
 */
final class DetectorBench {
  private static final int STEADY_RATE = 5_000;
  private static final Duration STEADY_FOR = Duration.ofSeconds(60);

  private DetectorBench() {}

  /** One configuration measured: its rules topic and how many rules it holds. */
  private record Variant(String name, String rulesTopic, int rules) {
    String label() {
      return rules == 0 ? "built-in rules only" : "with " + rules + " custom rules";
    }
  }

  static void run(BenchArgs args) throws Exception {
    int n = args.eventsGiven() ? args.events() : 500_000;
    List<Variant> variants =
        new ArrayList<>(List.of(new Variant("builtin", "bench-rules-none", 0)));
    if (args.customRules() > 0) {
      variants.add(new Variant("custom", "bench-rules", args.customRules()));
    }
    List<String> topics = new ArrayList<>(List.of("d"));
    for (Variant v : variants) {
      topics.addAll(
          List.of("alerts-" + v.name, "steady-" + v.name, "steady-" + v.name + ".alerts"));
    }
    try (BenchBroker kafka = new BenchBroker(4, topics)) {
      publishBacklog(kafka, n);
      if (args.customRules() > 0) {
        CustomRules.publish(kafka.broker.bootstrapServers(), "bench-rules", args.customRules());
      }
      for (Variant v : variants) {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        long start = System.nanoTime();
        String app = "bench-backlog-" + v.name;
        try (DetectorService detector =
            DetectorService.embedded(
                config(kafka, "d", "alerts-" + v.name, app, v, args), metrics)) {
          while (consumed(kafka, app, "d") < n || detector.backlog() > 0) {
            LockSupport.parkNanos(200_000_000);
          }
          double secs = (System.nanoTime() - start) / 1e9;
          System.out.printf(
              "detector: (a) %s: backlog of %,d events worked off in %.1f s (start-up included): %,.0f events/s; custom rules live %d, alerts raised %s%n",
              v.label(), n, secs, n / secs, rulesLive(metrics), raised(metrics));
        }
      }
      for (Variant v : variants) {
        steady(kafka, v, args);
      }
    }
  }

  private static long rulesLive(SimpleMeterRegistry metrics) {
    var g = metrics.find("mcp_audit_detector_custom_rules").gauge();
    return g == null ? 0 : (long) g.value();
  }

  /** Alerts raised by type, those raised at all. */
  private static Map<String, Long> raised(SimpleMeterRegistry metrics) {
    Map<String, Long> out = new java.util.TreeMap<>();
    metrics
        .find("mcp_audit_detector_alerts_raised")
        .counters()
        .forEach(
            c -> {
              if (c.count() > 0) {
                out.put(c.getId().getTag("type"), (long) c.count());
              }
            });
    return out;
  }

  private static DetectorConfig config(
      BenchBroker kafka, String in, String out, String app, Variant v, BenchArgs args)
      throws Exception {
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
                kafka.scratch("state-" + app).toString(),
                "topics.rules",
                v.rulesTopic()));
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

  private static void steady(BenchBroker kafka, Variant v, BenchArgs args) throws Exception {
    String in = "steady-" + v.name;
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, Long> probeSentAt = new ConcurrentHashMap<>();
    List<Long> probeLatencies = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean reading = new AtomicBoolean(true);
    Thread reader =
        Thread.ofPlatform()
            .name("bench-alert-reader")
            .start(
                () ->
                    readAlerts(
                        kafka,
                        in + ".alerts",
                        sentAt,
                        latencies,
                        probeSentAt,
                        probeLatencies,
                        reading));
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (DetectorService detector =
            DetectorService.embedded(
                config(kafka, in, in + ".alerts", "bench-steady-" + v.name, v, args), metrics);
        KafkaProducer<String, byte[]> p = producer(kafka)) {
      while (!detector.health().ready() || rulesLive(metrics) < (v.rules > 0 ? v.rules + 1 : 0)) {
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
        p.send(new ProducerRecord<>(in, e.partitionKey(), EventCodec.encode(restamp(e, now))));
        sent++;
        if (sent % (STEADY_RATE / 10) == 0) {
          String h = "h-bench-revoked-" + incident++;
          p.send(new ProducerRecord<>(in, h, EventCodec.encode(RevokedHandleUse.revoked(h, now))));
          sentAt.put(h, System.nanoTime());
          p.send(new ProducerRecord<>(in, h, EventCodec.encode(RevokedHandleUse.used(h, now))));
          if (v.rules > 0) {
            AuthzEvent probe = CustomRules.probe(incident, now);
            probeSentAt.put(probe.actor().id(), System.nanoTime());
            p.send(new ProducerRecord<>(in, probe.partitionKey(), EventCodec.encode(probe)));
          }
        }
      }
      double secs = (System.nanoTime() - begin) / 1e9;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while ((latencies.size() < incident || (v.rules > 0 && probeLatencies.size() < incident))
          && System.nanoTime() < deadline) {
        LockSupport.parkNanos(100_000_000);
      }
      reading.set(false);
      reader.join();
      long[] ns = latencies.stream().mapToLong(Long::longValue).toArray();
      System.out.printf(
          "detector: (b) %s: steady %,.0f events/s for %.0f s with %d revoked-handle uses: %d alerts seen, event-to-alert %s%n",
          v.label(),
          sent / secs,
          secs,
          incident,
          ns.length,
          ns.length == 0 ? "n/a" : Percentiles.of(ns));
      if (v.rules > 0) {
        long[] pn = probeLatencies.stream().mapToLong(Long::longValue).toArray();
        System.out.printf(
            "detector: (b) %s: %d custom-rule probes, %d alerts seen, event-to-alert %s; alerts raised %s%n",
            v.label(),
            incident,
            pn.length,
            pn.length == 0 ? "n/a" : Percentiles.of(pn),
            raised(metrics));
      }
    }
  }

  private static void readAlerts(
      BenchBroker kafka,
      String topic,
      Map<String, Long> sentAt,
      List<Long> latencies,
      Map<String, Long> probeSentAt,
      List<Long> probeLatencies,
      AtomicBoolean reading) {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                10,
                ConsumerConfig.GROUP_ID_CONFIG,
                "bench-alert-reader-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      while (reading.get()) {
        for (var r : c.poll(Duration.ofMillis(50))) {
          long seen = System.nanoTime();
          try {
            JsonNode a = EventCodec.mapper().readTree(r.value());
            Long sent = sentAt.get(a.get("subject").asText());
            if (sent != null && a.get("type").asText().equals("REVOKED_HANDLE_USE")) {
              latencies.add(seen - sent);
            }
            Long probe = probeSentAt.get(a.get("subject").asText());
            if (probe != null && a.get("type").asText().equals("CUSTOM_RULE")) {
              probeLatencies.add(seen - probe);
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
