package dev.mcpaudit.indexer.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.schema.event.EventCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventIndexWriteOnceTest {
  @TempDir Path dir;

  static byte[] event(String id, String tenant, String decision) {
    return ("{\"schema\":\"mcp.authz/v1\",\"event_id\":\""
            + id
            + "\",\"kind\":\"decision\",\"occurred_at\":\"2026-11-26T12:00:00Z\","
            + "\"tenant\":\""
            + tenant
            + "\",\"decision\":\""
            + decision
            + "\",\"reason_code\":\""
            + (decision.equals("allow") ? "ALLOWED" : "POLICY_DENY")
            + "\",\"actor\":{\"id\":\"a\",\"type\":\"agent\"},\"tool\":{\"server\":\"s\",\"name\":\"t\",\"method\":\"tools/call\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static void add(EventIndex.Batch b, RecordKey key, byte[] raw, long offset) throws Exception {
    b.add(
        key,
        IndexSchema.document(
            EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, offset, 0)),
        new StoredVersion(raw, 0, offset));
  }

  static long docs(EventIndex index) throws Exception {
    IndexSearcher s = index.searchers().acquire();
    try {
      return s.count(new MatchAllDocsQuery());
    } finally {
      index.searchers().release(s);
    }
  }

  @Test
  void aRecordIsFoundBeforeAndAfterTheRefreshThatMakesItSearchable() throws Exception {
    try (EventIndex index = EventIndex.open(dir, 16)) {
      RecordKey acme = new RecordKey("acme", "e-1");
      byte[] first = event("e-1", "acme", "deny");
      try (EventIndex.Batch b = index.batch()) {
        assertThat(b.find(acme)).isNull();
        add(b, acme, first, 7);
        // Not yet searchable, but already the record.
        assertThat(b.find(acme).offset()).isEqualTo(7);
      }
      assertThat(index.unrefreshedWrites()).isEqualTo(1);
      try (EventIndex.Batch b = index.batch()) {
        assertThat(b.find(acme).source()).isEqualTo(first);
      }
      index.refresh();
      assertThat(index.unrefreshedWrites()).isZero();
      assertThat(docs(index)).isEqualTo(1);
      try (EventIndex.Batch b = index.batch()) {
        StoredVersion found = b.find(acme);
        assertThat(found.source()).isEqualTo(first);
        assertThat(found.partition()).isZero();
        assertThat(found.offset()).isEqualTo(7);
        // The same id in another tenant is another record.
        assertThat(b.find(new RecordKey("globex", "e-1"))).isNull();
        assertThat(b.find(new RecordKey("acme", "e-2"))).isNull();
      }
    }
  }

  @Test
  void theSameIdInTwoTenantsIsTwoRecordsAndSurvivesACommit() throws Exception {
    Path path = dir.resolve("index");
    try (EventIndex index = EventIndex.open(path, 16)) {
      try (EventIndex.Batch b = index.batch()) {
        add(b, new RecordKey("acme", "e-1"), event("e-1", "acme", "deny"), 1);
        assertThat(b.find(new RecordKey("globex", "e-1"))).isNull();
        add(b, new RecordKey("globex", "e-1"), event("e-1", "globex", "allow"), 2);
      }
      index.commit(Map.of("t:0", 3L));
    }
    try (EventIndex index = EventIndex.open(path, 16);
        EventIndex.Batch b = index.batch()) {
      assertThat(b.find(new RecordKey("acme", "e-1")).offset()).isEqualTo(1);
      assertThat(b.find(new RecordKey("globex", "e-1")).offset()).isEqualTo(2);
      IndexSearcher s = index.searchers().acquire();
      try {
        assertThat(EventIndex.eventIds(s.getIndexReader())).containsExactlyInAnyOrder("e-1", "e-1");
      } finally {
        index.searchers().release(s);
      }
    }
  }
}
