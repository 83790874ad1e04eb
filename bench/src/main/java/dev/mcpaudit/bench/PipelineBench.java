package dev.mcpaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.app.quickstart.Quickstart;
import dev.mcpaudit.app.simulate.BatchSender;
import dev.mcpaudit.app.simulate.DemoTraffic;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.topic.Topics;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;

/**
 * What an operator runs, under a rising load: the quickstart's composition (embedded broker, HTTP
 * collector, indexer, detector, API, one process) fed over HTTP by a generator of pre-encoded
 * NDJSON batches on several connections, at stepped rates until a stage falls behind. Per step:
 * asked, sent and accepted rate; indexer and detector lag; event to searchable and event to alert
 * (a revoked-handle use every 100 ms, sent through the collector); API latency of a mixed query set
 * run alongside. A consumer stage is behind when, at the end of a step, it has more than {@value
 * #BEHIND_SECONDS} s of traffic unread, or its probes (event to searchable, event to alert) took
 * over {@value #BEHIND_SECONDS} s at the median; the collector when it accepted under 95% of the
 * rate. The detector's repartition topics are shown apart: one event is a record in each of them,
 * so their backlog counts records, not events.
 */
final class PipelineBench {
  private static final int BEHIND_SECONDS = 10;
  private static final int BATCH = 500;
  private static final int CONNECTIONS = 8;
  private static final String INDEXER_GROUP = "mcp-audit-quickstart-indexer";
  private static final String DETECTOR_GROUP = "mcp-audit-quickstart-detector";

  private PipelineBench() {}

  /** One step's samples: probe latencies (ns) and API latencies (ns). */
  private static final class Samples {
    final List<Long> searchable = Collections.synchronizedList(new ArrayList<>());
    final List<Long> alerted = Collections.synchronizedList(new ArrayList<>());
    final List<Long> api = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong apiErrors = new AtomicLong();
    final AtomicLong probeErrors = new AtomicLong();
  }

  static void run(BenchArgs args) throws Exception {
    List<Integer> rates =
        Arrays.stream(
                args.settings()
                    .getOrDefault(
                        "bench.rates", "2000,3000,5000,7500,10000,15000,20000,30000,45000,60000")
                    .split(","))
            .map(String::strip)
            .map(Integer::parseInt)
            .toList();
    Duration step =
        Duration.ofSeconds(
            Long.parseLong(args.settings().getOrDefault("bench.step-seconds", "60")));
    LoadTemplates load = new LoadTemplates(64, BATCH, Instant.now());
    System.out.printf(
        "pipeline: load: %d pre-encoded batches of %d events, %.0f B/event, %d connections%n",
        64, BATCH, load.bytesPerEvent(), CONNECTIONS);
    generatorCeiling(load);

    Path data = Files.createTempDirectory("mcp-audit-pipeline-bench");
    int kafkaPort = freePortPair();
    try (Quickstart qs =
        Quickstart.start(
            new Quickstart.Options(0, kafkaPort, data, false, 0, Duration.ofMinutes(1)))) {
      String base = "http://127.0.0.1:" + qs.port();
      String bootstrap = "127.0.0.1:" + kafkaPort;
      waitReady(base);
      System.out.printf(
          "pipeline: quickstart composition up on %s (broker %s, 3 partitions), steps of %d s: %s events/s%n",
          base, bootstrap, step.toSeconds(), rates);
      AtomicBoolean running = new AtomicBoolean(true);
      Map<String, Long> probes = new ConcurrentHashMap<>();
      AtomicReference<Samples> current = new AtomicReference<>(new Samples());
      Thread alerts =
          Thread.ofPlatform()
              .name("bench-alert-reader")
              .start(() -> readAlerts(bootstrap, probes, current, running));
      Thread prober =
          Thread.ofPlatform()
              .name("bench-prober")
              .start(() -> probe(base, qs, probes, current, running));
      Thread querier =
          Thread.ofPlatform()
              .name("bench-querier")
              .start(() -> query(base, qs.tokens().analyst(), current, running));
      List<String> summary = new ArrayList<>();
      Integer sustained = null;
      String behind = null;
      try (BatchSender sender =
              new BatchSender(
                  URI.create(base + "/v1/decisions"), qs.tokens().collector(), CONNECTIONS, null);
          Admin admin =
              Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
          HttpClient lagReader = HttpClient.newHttpClient()) {
        for (int rate : rates) {
          Samples s = new Samples();
          current.set(s);
          BatchSender.Counts before = sender.counts();
          List<long[]> lags = new ArrayList<>();
          long start = System.nanoTime();
          long end = start + step.toNanos();
          long batches = 0;
          long nextLagAt = start;
          while (System.nanoTime() < end) {
            long due = start + (long) (batches * BATCH * 1e9 / rate);
            long now = System.nanoTime();
            if (now >= nextLagAt) {
              long[] detector = lag(admin, DETECTOR_GROUP);
              lags.add(
                  new long[] {
                    now,
                    lag(admin, INDEXER_GROUP)[0],
                    detector[0],
                    detector[1],
                    detectionBehindMs(lagReader, base, qs.tokens().analyst())
                  });
              nextLagAt += 1_000_000_000L;
              continue;
            }
            if (due > now) {
              LockSupport.parkNanos(Math.min(due, nextLagAt) - now);
              continue;
            }
            Instant at = Instant.now();
            sender.submit(BATCH, () -> load.next(at));
            batches++;
          }
          double secs = (System.nanoTime() - start) / 1e9;
          BatchSender.Counts after = sender.counts();
          double sentRate = (after.sent() - before.sent()) / secs;
          double acceptedRate = (after.accepted() - before.accepted()) / secs;
          long failed = after.failed() - before.failed() + after.rejected() - before.rejected();
          long indexerLag = tailMedian(lags, 1);
          long detectorLag = tailMedian(lags, 2);
          long repartitionLag = tailMedian(lags, 3);
          long detectionBehindMs = tailMedian(lags, 4);
          List<String> late = new ArrayList<>();
          if (acceptedRate < 0.95 * rate || failed > 0) {
            late.add("collector");
          }
          if (indexerLag > (long) rate * BEHIND_SECONDS
              || median(s.searchable) > BEHIND_SECONDS * 1e9) {
            late.add("indexer");
          }
          if (detectorLag > (long) rate * BEHIND_SECONDS
              || median(s.alerted) > BEHIND_SECONDS * 1e9) {
            late.add("detector");
          }
          String line =
              String.format(
                  "pipeline: step %,6d/s: sent %,.0f/s, accepted %,.0f/s%s; lag indexer %,d (%.1f s), detector %,d (%.1f s) + %,d records in its repartition topics, oldest waiting %.1f s (mcp_audit_detector_lag_seconds); "
                      + "event->searchable %s; event->alert %s; API %s%s; %s",
                  rate,
                  sentRate,
                  acceptedRate,
                  failed > 0 ? " (" + failed + " not accepted: " + sender.lastError() + ")" : "",
                  indexerLag,
                  indexerLag / (double) rate,
                  detectorLag,
                  detectorLag / (double) rate,
                  repartitionLag,
                  detectionBehindMs / 1000.0,
                  pct(s.searchable),
                  pct(s.alerted),
                  pct(s.api),
                  s.apiErrors.get() > 0 ? " (" + s.apiErrors.get() + " errors)" : "",
                  late.isEmpty() ? "all stages kept up" : "behind: " + String.join(", ", late));
          System.out.println(line);
          summary.add(line);
          if (!late.isEmpty()) {
            behind = String.join(" and ", late) + " at " + String.format("%,d", rate) + " events/s";
            break;
          }
          sustained = rate;
        }
        running.set(false);
      } finally {
        running.set(false);
        prober.join(Duration.ofSeconds(10));
        querier.join(Duration.ofSeconds(10));
        alerts.join(Duration.ofSeconds(10));
      }
      System.out.printf(
          "pipeline: first to fall behind: %s%n",
          behind == null ? "none, up to the last step" : behind);
      System.out.printf(
          "pipeline: highest rate every stage sustained for %d s: %s%n",
          step.toSeconds(),
          sustained == null ? "none of the steps" : String.format("%,d events/s", sustained));
    } finally {
      LuceneBench.deleteTree(data);
    }
  }

  /**
   * What the generator offers when nothing behind it is slow: the same batches into an endpoint
   * that discards them.
   */
  private static void generatorCeiling(LoadTemplates load) throws Exception {
    try (DiscardingCollector sink = new DiscardingCollector(CONNECTIONS)) {
      long start;
      long sent;
      try (BatchSender sender = new BatchSender(sink.uri(), "x", CONNECTIONS, null)) {
        long warm = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warm) {
          sender.submit(BATCH, () -> load.next(Instant.now()));
        }
        long base = sender.counts().sent();
        start = System.nanoTime();
        while (System.nanoTime() - start < 5_000_000_000L) {
          sender.submit(BATCH, () -> load.next(Instant.now()));
        }
        sent = sender.counts().sent() - base;
      }
      System.out.printf(
          "pipeline: load generator alone, into an endpoint in this JVM that discards: %,.0f events/s offered%n",
          sent / ((System.nanoTime() - start) / 1e9));
    }
  }

  /**
   * Records not yet processed by a group, committed offsets against the end of the topics it reads:
   * {decisions topic, every other topic it reads (the detector's repartition topics)}.
   */
  private static long[] lag(Admin admin, String group) {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> ask = new java.util.HashMap<>();
      List<TopicPartition> decisions =
          admin
              .describeTopics(List.of(Topics.DEFAULT_DECISIONS))
              .allTopicNames()
              .get()
              .get(Topics.DEFAULT_DECISIONS)
              .partitions()
              .stream()
              .map(p -> new TopicPartition(Topics.DEFAULT_DECISIONS, p.partition()))
              .toList();
      decisions.forEach(tp -> ask.put(tp, OffsetSpec.latest()));
      committed.keySet().forEach(tp -> ask.put(tp, OffsetSpec.latest()));
      var ends = admin.listOffsets(ask).all().get();
      long[] lag = new long[2];
      for (var e : ends.entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        lag[e.getKey().topic().equals(Topics.DEFAULT_DECISIONS) ? 0 : 1] +=
            Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
      }
      return lag;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the lag of " + group, e);
    }
  }

  /**
   * How long the oldest decision not yet judged has waited, as the quickstart's API reports it
   * ({@code /api/v1/detection}: the detector's own measurement, the one behind {@code
   * mcp_audit_detector_lag_seconds}); -1 while not yet measured.
   */
  private static long detectionBehindMs(HttpClient http, String base, String token) {
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/detection"))
                  .header("Authorization", "Bearer " + token)
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      JsonNode lag = EventCodec.mapper().readTree(r.body());
      return lag.path("known").asBoolean()
          ? Math.round(lag.get("seconds_behind").asDouble() * 1000)
          : -1;
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The median of column {@code col} over the last 10 samples of a step. */
  private static long tailMedian(List<long[]> lags, int col) {
    long[] tail =
        lags.subList(Math.max(0, lags.size() - 10), lags.size()).stream()
            .mapToLong(l -> l[col])
            .sorted()
            .toArray();
    return tail.length == 0 ? 0 : tail[tail.length / 2];
  }

  /**
   * Every 100 ms a revoked handle used: sent through the collector, then watched for in the index
   * and on the alerts topic.
   */
  private static void probe(
      String base,
      Quickstart qs,
      Map<String, Long> probes,
      AtomicReference<Samples> current,
      AtomicBoolean running) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    URI ingest = URI.create(base + "/v1/decisions");
    Map<String, Long> pendingSearch = new ConcurrentHashMap<>();
    int n = 0;
    long next = System.nanoTime();
    while (running.get()) {
      long now = System.nanoTime();
      if (now >= next) {
        String h = "h-probe-" + n++;
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(EventCodec.encode(RevokedHandleUse.revoked(h, at)));
        body.write('\n');
        body.writeBytes(EventCodec.encode(RevokedHandleUse.used(h, at)));
        body.write('\n');
        long sentAt = System.nanoTime();
        probes.put(h, sentAt);
        pendingSearch.put(h + "-use", sentAt);
        try {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(ingest)
                      .header("Authorization", "Bearer " + qs.tokens().collector())
                      .header("Content-Type", "application/x-ndjson")
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 202 && r.statusCode() != 200
              || !r.body().contains("\"rejected\":[]")) {
            throw new IllegalStateException(
                "the collector did not take a probe: " + r.statusCode() + " " + r.body());
          }
        } catch (java.io.IOException e) {
          probes.remove(h);
          pendingSearch.remove(h + "-use");
          current.get().probeErrors.incrementAndGet();
        } catch (InterruptedException e) {
          return;
        }
        next += 100_000_000L;
      }
      try {
        IndexSearcher s = qs.indexer().searchers().acquire();
        try {
          for (var e : pendingSearch.entrySet()) {
            if (s.count(new TermQuery(new Term(IndexSchema.EVENT_ID, e.getKey()))) > 0) {
              current.get().searchable.add(System.nanoTime() - e.getValue());
              pendingSearch.remove(e.getKey());
            }
          }
        } finally {
          qs.indexer().searchers().release(s);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      LockSupport.parkNanos(5_000_000);
    }
  }

  private static void readAlerts(
      String bootstrap,
      Map<String, Long> probes,
      AtomicReference<Samples> current,
      AtomicBoolean running) {
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-alert-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.DEFAULT_ALERTS));
      while (running.get()) {
        for (var r : c.poll(Duration.ofMillis(50))) {
          long seen = System.nanoTime();
          try {
            JsonNode a = EventCodec.mapper().readTree(r.value());
            Long sent = probes.remove(a.path("subject").asText());
            if (sent != null && a.path("type").asText().equals("REVOKED_HANDLE_USE")) {
              current.get().alerted.add(seen - sent);
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    }
  }

  /**
   * An analyst's mixed questions, one after another, four a second: the latencies they see under
   * load.
   */
  private static void query(
      String base, String token, AtomicReference<Samples> current, AtomicBoolean running) {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    int i = 0;
    while (running.get()) {
      String actor =
          URLEncoder.encode(
              "spiffe://example.org/agent/a-" + r.nextInt(2_000), StandardCharsets.UTF_8);
      String path =
          switch (i++ % 5) {
            case 0 ->
                "/api/v1/decisions?from=now-15m&limit=100&q="
                    + URLEncoder.encode(
                        "actor.id:\"spiffe://example.org/agent/a-" + r.nextInt(2_000) + "\"",
                        StandardCharsets.UTF_8);
            case 1 -> "/api/v1/access?actor=" + actor + "&from=now-1h";
            case 2 -> "/api/v1/handles/h-load-" + r.nextInt(4_000);
            case 3 ->
                "/api/v1/stats/top?field=tool.name&size=10&from=now-15m&tenant="
                    + DemoTraffic.TENANTS.get(r.nextInt(DemoTraffic.TENANTS.size()));
            default -> "/api/v1/stats/histogram?from=now-15m&buckets=60&q=decision:deny";
          };
      long t0 = System.nanoTime();
      try {
        HttpResponse<Void> res =
            http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (res.statusCode() != 200) {
          current.get().apiErrors.incrementAndGet();
        } else {
          current.get().api.add(System.nanoTime() - t0);
        }
      } catch (Exception e) {
        current.get().apiErrors.incrementAndGet();
      }
      LockSupport.parkNanos(Math.max(0, 250_000_000L - (System.nanoTime() - t0)));
    }
  }

  private static void waitReady(String base) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // starting
      }
      LockSupport.parkNanos(200_000_000);
    }
    throw new IllegalStateException("the quickstart composition did not become ready in 120 s");
  }

  /** A free port whose next port is free too (the embedded broker's controller takes it). */
  private static int freePortPair() throws Exception {
    for (int i = 0; i < 50; i++) {
      int p;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        p = s.getLocalPort();
      }
      try (ServerSocket next = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
        return p;
      } catch (java.io.IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free pair of ports");
  }

  /** The median of nanosecond samples, 0 when there are none. */
  private static double median(List<Long> ns) {
    synchronized (ns) {
      return ns.isEmpty()
          ? 0
          : ns.stream()
              .mapToLong(Long::longValue)
              .sorted()
              .skip(ns.size() / 2)
              .findFirst()
              .orElse(0);
    }
  }

  private static String pct(List<Long> ns) {
    synchronized (ns) {
      return ns.isEmpty()
          ? "n/a"
          : Percentiles.of(ns.stream().mapToLong(Long::longValue).toArray());
    }
  }
}
