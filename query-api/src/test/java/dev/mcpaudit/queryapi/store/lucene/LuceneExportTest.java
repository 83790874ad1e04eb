package dev.mcpaudit.queryapi.store.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.export.ExportFormat;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports over a real index on disk with several segments: every event once, oldest first, the
 * stored bytes unchanged in NDJSON; the same answer when more exports run at once than there are
 * loader threads; and a client that goes away half way leaves nothing running or held.
 */
@Timeout(
    value = 120,
    unit = TimeUnit.SECONDS) // a pipeline that deadlocks fails here instead of hanging the build
class LuceneExportTest {
  private static final TenantScope EVERY_TENANT =
      TenantScope.of(new Caller("root", Role.ADMIN, Set.of(), true), null);

  private static final int EVENTS = 6_000;
  @TempDir Path dir;
  private final List<AuthzEvent> events = new ArrayList<>();
  private FSDirectory fs;
  private SearcherManager searchers;
  private LuceneEventStore store;

  @BeforeEach
  void index() throws Exception {
    SyntheticEvents gen = new SyntheticEvents(31, Instant.parse("2026-11-01T00:00:00Z"));
    SplittableRandom shuffle = new SplittableRandom(5);
    try (EventIndex index = EventIndex.open(dir, 4)) {
      for (int i = 0; i < EVENTS; i++) {
        AuthzEvent e = gen.next();
        // Out of order across commits, so segments overlap in time and the merge has work to do.
        Instant at = e.occurredAt().plusMillis(shuffle.nextInt(120_000));
        e = e.toBuilder().occurredAt(at).receivedAt(null).build();
        events.add(e);
        byte[] raw = EventCodec.encode(e);
        index.append(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
        if (i % 1_000 == 999) {
          index.commit(Map.of("decisions-0", (long) i + 1));
        }
      }
      index.commit(Map.of("decisions-0", (long) EVENTS));
    }
    fs = FSDirectory.open(dir);
    searchers = new SearcherManager(DirectoryReader.open(fs), null);
    store = StoreFixture.store(searchers, Duration.ofSeconds(30));
  }

  @AfterEach
  void close() throws IOException {
    searchers.close();
    fs.close();
  }

  @Test
  void ndjsonIsEveryStoredEventOnceOldestFirstByteForByte() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long rows = export(format("ndjson"), out);

    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(rows).isEqualTo(EVENTS);
    assertThat(lines).hasSize(EVENTS);
    List<Instant> times =
        lines.stream().map(l -> Instant.parse(json(l).get("occurred_at").asText())).toList();
    assertThat(times).isSortedAccordingTo(Comparator.naturalOrder());
    assertThat(lines)
        .containsExactlyInAnyOrderElementsOf(
            events.stream()
                .map(e -> new String(EventCodec.encode(e), StandardCharsets.UTF_8))
                .toList());
  }

  @Test
  void moreExportsAtOnceThanLoaderThreadsAllGetTheWholeAnswer() throws Exception {
    byte[] expected = export(format("csv"));
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      List<Future<byte[]>> running = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        running.add(clients.submit(() -> export(format("csv"))));
      }
      for (Future<byte[]> f : running) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
      }
    } finally {
      clients.shutdownNow();
    }
    assertThat(new String(expected, StandardCharsets.UTF_8).lines().count())
        .isEqualTo(EVENTS + 1); // + header
  }

  @Test
  void aClientThatGoesAwayLeavesNoLoaderRunningAndTheReaderReleased() throws Exception {
    for (int i = 0; i < 10; i++) {
      OutputStream hangsUp =
          new OutputStream() {
            int written;

            @Override
            public void write(int b) throws IOException {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              written += len;
              if (written > 50_000) {
                throw new IOException("connection reset by peer");
              }
            }
          };
      assertThatThrownBy(() -> export(format("ocsf"), hangsUp))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("connection reset");
    }
    IndexSearcher s = searchers.acquire();
    try {
      assertThat(s.getIndexReader().getRefCount())
          .as("only the manager and this test hold the reader")
          .isEqualTo(2);
    } finally {
      searchers.release(s);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (loadersBusy() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(loadersBusy()).as("an export loader still running after its client left").isFalse();
    assertThat(export(format("ndjson")).length).isGreaterThan(EVENTS * 500);
  }

  private byte[] export(ExportFormat format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    export(format, out);
    return out.toByteArray();
  }

  /** As the export endpoint writes: the header, then each event through the format. */
  private long export(ExportFormat format, OutputStream out) throws IOException {
    format.header(out);
    return store
        .export(
            EVERY_TENANT,
            new EventQuery("", new TimeRange(TimeRange.EARLIEST, TimeRange.LATEST)),
            format.decisionsOnly())
        .writeTo((json, provenance) -> format.writeStored(json, provenance, out));
  }

  private static ExportFormat format(String name) {
    return ExportFormat.named(name, "t").orElseThrow();
  }

  private static boolean loadersBusy() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("mcp-audit-export-loader"))
        .anyMatch(
            t ->
                t.getState() == Thread.State.RUNNABLE
                    || t.getState() == Thread.State.TIMED_WAITING);
  }

  private static JsonNode json(String line) {
    try {
      return EventCodec.mapper().readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
