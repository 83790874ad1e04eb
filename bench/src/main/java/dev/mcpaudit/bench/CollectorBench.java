package dev.mcpaudit.bench;

import dev.mcpaudit.collector.http.CollectorConfig;
import dev.mcpaudit.collector.http.CollectorServer;
import dev.mcpaudit.runtime.auth.TokenDigest;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HTTP collector on loopback against the embedded broker, client in the same process (so both share
 * the same two cores): NDJSON batches of 500 with several concurrent clients, then single-event
 * POST latency, one request at a time.
 */
final class CollectorBench {
  private CollectorBench() {}

  /** The collector stamps what it accepts, as deployed (docs/provenance.md). */
  private static Map<String, String> withStampKey(Map<String, String> s) {
    Map<String, String> all = new java.util.HashMap<>(s);
    all.putAll(TestStamps.settings());
    return all;
  }

  static void run(BenchArgs args) throws Exception {
    String token = TokenDigest.newToken();
    try (BenchBroker kafka = new BenchBroker(4, List.of("d", "dlq"))) {
      CollectorConfig cfg =
          CollectorConfig.from(
              Settings.of(
                  withStampKey(
                      Map.of(
                          "collector.port",
                          "0",
                          "kafka.bootstrap-servers",
                          kafka.broker.bootstrapServers(),
                          "topics.decisions",
                          "d",
                          "topics.dead-letter",
                          "dlq",
                          "collector.token.bench",
                          TokenDigest.of(token),
                          "collector.token.bench.tenants",
                          "*"))));
      try (CollectorServer server = CollectorServer.start(cfg)) {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/decisions");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        SyntheticEvents gen = new SyntheticEvents(99, Instant.now().minus(Duration.ofHours(6)));

        int batches = Math.max(1, args.events() / 500);
        List<byte[]> bodies = new ArrayList<>(batches);
        long bytes = 0;
        for (int b = 0; b < batches; b++) {
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < 500; i++) {
            sb.append(EventCodec.encodeToString(gen.next())).append('\n');
          }
          byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
          bytes += body.length;
          bodies.add(body);
        }
        int clients = 4;
        System.out.printf(
            "collector: %,d events in %,d NDJSON batches of 500 (%.0f B/event), %d concurrent clients, loopback%n",
            batches * 500, batches, (double) bytes / (batches * 500), clients);
        post(http, uri, token, bodies.subList(0, Math.min(20, bodies.size())), clients); // warm-up
        long start = System.nanoTime();
        post(http, uri, token, bodies, clients);
        double s = (System.nanoTime() - start) / 1e9;
        System.out.printf(
            "collector: batches of 500: %,.0f events/s (%.1f MB/s), every batch acknowledged by Kafka (acks=all)%n",
            batches * 500 / s, bytes / s / 1e6);

        int singles = 2_000;
        long[] lat = new long[singles];
        for (int i = 0; i < 200; i++) {
          send(http, uri, token, EventCodec.encode(gen.next()), "application/json");
        }
        for (int i = 0; i < singles; i++) {
          byte[] one = EventCodec.encode(gen.next());
          long t0 = System.nanoTime();
          send(http, uri, token, one, "application/json");
          lat[i] = System.nanoTime() - t0;
        }
        System.out.println(
            "collector: single-event POST latency, sequential: " + Percentiles.of(lat));
      }
    }
  }

  private static void post(HttpClient http, URI uri, String token, List<byte[]> bodies, int clients)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService pool =
        Executors.newFixedThreadPool(clients, r -> new Thread(r, "bench-client"))) {
      List<Future<?>> f = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        f.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement();
                      i < bodies.size();
                      i = next.getAndIncrement()) {
                    send(http, uri, token, bodies.get(i), "application/x-ndjson");
                  }
                  return null;
                }));
      }
      for (Future<?> x : f) {
        x.get();
      }
    }
  }

  private static void send(HttpClient http, URI uri, String token, byte[] body, String type)
      throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202 || !r.body().contains("\"rejected\":[]")) {
      throw new IllegalStateException("collector answered " + r.statusCode() + ": " + r.body());
    }
  }
}
