package dev.mcpaudit.queryapi.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.queryapi.store.lucene.LuceneEventStore;
import dev.mcpaudit.queryapi.store.lucene.StoreThreads;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NDJSON in, OCSF out through a real index: events of every kind (the contract's examples, the
 * handle lifecycle included, and varied decisions of every reason code); one valid API Activity
 * line per decision, none for the lifecycle events.
 */
class OcsfExportTest {
  @TempDir Path dir;

  @Test
  void everyDecisionOfEveryKindOfInputBecomesOneValidLineAndLifecycleEventsNone() throws Exception {
    List<byte[]> input = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("../schemas/examples/valid"))) {
      for (Path p : files.sorted().toList()) {
        if (p.toString().endsWith(".ndjson")) {
          Files.readAllLines(p).stream()
              .filter(l -> !l.isBlank())
              .forEach(l -> input.add(l.getBytes(StandardCharsets.UTF_8)));
        } else {
          input.add(
              EventCodec.mapper().writeValueAsBytes(EventCodec.mapper().readTree(p.toFile())));
        }
      }
    }
    VariedDecisions gen = new VariedDecisions(2718);
    for (int i = 0; i < 2_000; i++) {
      input.add(EventCodec.mapper().writeValueAsBytes(gen.next()));
    }
    Set<String> decisions = new HashSet<>();
    Set<String> kinds = new HashSet<>();
    try (EventIndex index = EventIndex.open(dir, 16)) {
      for (int i = 0; i < input.size(); i++) {
        JsonNode e = EventCodec.mapper().readTree(input.get(i));
        kinds.add(e.get("kind").asText());
        if (e.get("kind").asText().equals("decision")) {
          decisions.add(e.get("event_id").asText());
        }
        index.append(IndexSchema.document(e, input.get(i), new IndexSchema.Origin(0, i, 0)));
      }
      index.commit(Map.of("decisions-0", (long) input.size()));
    }
    assertThat(kinds)
        .containsExactlyInAnyOrder(
            "decision", "handle.issued", "handle.revoked", "handle.expired", "handle.rotated");

    OcsfSchema schema = OcsfSchema.load();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (FSDirectory fs = FSDirectory.open(dir);
        SearcherManager searchers = new SearcherManager(DirectoryReader.open(fs), null);
        StoreThreads threads = StoreThreads.start(1)) {
      OcsfFormat ocsf = new OcsfFormat("t");
      long rows =
          LuceneEventStore.direct(
                  searchers, searchers, QueryLimits.defaults(Duration.ofSeconds(30)), threads)
              .export(
                  TenantScope.of(new Caller("root", Role.ADMIN, Set.of(), true), null),
                  new EventQuery("", new TimeRange(TimeRange.EARLIEST, TimeRange.LATEST)),
                  ocsf.decisionsOnly())
              .writeTo((json, provenance) -> ocsf.writeStored(json, provenance, out));
      assertThat(rows).isEqualTo(decisions.size());
    }
    Set<String> exported = new HashSet<>();
    for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
      JsonNode o = EventCodec.mapper().readTree(line);
      List<String> errors = schema.check(o);
      // An example that names no source cannot have the src_endpoint OCSF requires (see the
      // README).
      if (!o.has("src_endpoint")) {
        assertThat(errors).containsExactly("/src_endpoint: required by API Activity but missing");
      } else {
        assertThat(errors).as(line).isEmpty();
      }
      exported.add(o.at("/metadata/uid").asText());
    }
    assertThat(exported).isEqualTo(decisions);
  }
}
