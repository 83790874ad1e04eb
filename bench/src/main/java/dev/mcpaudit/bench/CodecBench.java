package dev.mcpaudit.bench;

import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.testkit.SyntheticEvents;
import dev.mcpaudit.testkit.TestStamps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * How fast bytes become validated events: the floor under the collector's and the indexer's
 * throughput, since both decode every event once.
 */
final class CodecBench {
  private CodecBench() {}

  static void run(BenchArgs args) throws Exception {
    SyntheticEvents gen = new SyntheticEvents(7, Instant.now().minus(Duration.ofDays(1)));
    List<byte[]> events = new ArrayList<>(args.events());
    long bytes = 0;
    for (int i = 0; i < args.events(); i++) {
      byte[] b = EventCodec.encode(gen.next());
      bytes += b.length;
      events.add(b);
    }
    EventCodec codec = new EventCodec(EventValidator.withSystemClock());
    System.out.printf(
        "codec: %,d events, %d bytes each on average%n", events.size(), bytes / events.size());
    for (int threads : new int[] {1, 2}) {
      decode(codec, events, threads); // warm-up round
      long start = System.nanoTime();
      int valid = decode(codec, events, threads);
      double s = (System.nanoTime() - start) / 1e9;
      if (valid != events.size()) {
        throw new IllegalStateException("only " + valid + " of " + events.size() + " decoded");
      }
      System.out.printf(
          "codec: threads=%d decode (parse+validate+bind) %,.0f events/s, %.0f MB/s%n",
          threads, events.size() / s, bytes / s / 1e6);
    }
    stamps(events);
  }

  /**
   * What a stamp costs beside the decode (docs/provenance.md): the collector signs every event it
   * accepts, the indexer verifies every one it reads. One thread.
   */
  private static void stamps(List<byte[]> events) {
    Stamps signer = new Stamps(List.of(), TestStamps.key());
    Stamps verifier = new Stamps(List.of(TestStamps.key()), null);
    List<Headers> headers = new ArrayList<>(events.size());
    for (int round = 0; round < 2; round++) { // the first round warms up
      headers.clear();
      long start = System.nanoTime();
      for (byte[] b : events) {
        Headers h = new RecordHeaders();
        signer.stamp(h, StampKind.COLLECTOR, b);
        headers.add(h);
      }
      double signed = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      int proven = 0;
      for (int i = 0; i < events.size(); i++) {
        if (verifier.verify(headers.get(i), events.get(i)).isPresent()) {
          proven++;
        }
      }
      double verified = (System.nanoTime() - start) / 1e9;
      if (proven != events.size()) {
        throw new IllegalStateException("only " + proven + " of " + events.size() + " verified");
      }
      if (round == 1) {
        System.out.printf(
            "codec: threads=1 stamp (HMAC-SHA256) sign %,.0f events/s (%.2f us each), verify %,.0f"
                + " events/s (%.2f us each)%n",
            events.size() / signed,
            signed * 1e6 / events.size(),
            events.size() / verified,
            verified * 1e6 / events.size());
      }
    }
  }

  private static int decode(EventCodec codec, List<byte[]> events, int threads) throws Exception {
    AtomicInteger valid = new AtomicInteger();
    try (ExecutorService pool =
        Executors.newFixedThreadPool(threads, r -> new Thread(r, "bench-codec"))) {
      List<Future<?>> parts = new ArrayList<>();
      int slice = events.size() / threads;
      for (int t = 0; t < threads; t++) {
        List<byte[]> mine =
            events.subList(t * slice, t == threads - 1 ? events.size() : (t + 1) * slice);
        parts.add(
            pool.submit(
                () ->
                    mine.forEach(
                        b -> {
                          if (codec.decode(b).isValid()) {
                            valid.incrementAndGet();
                          }
                        })));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    }
    return valid.get();
  }
}
