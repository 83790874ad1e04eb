package dev.mcpaudit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.rules.query.SearchSyntax;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A rule's query matches one event in memory exactly when it matches that event in the index the
 * indexer writes: the same documents, the same parser, the same counts.
 */
class EventDocumentTest {
  private static final List<JsonNode> EVENTS = new ArrayList<>();
  private static IndexSearcher index;

  @BeforeAll
  static void indexThem() throws Exception {
    SyntheticEvents gen = new SyntheticEvents(7, Instant.parse("2026-11-20T10:00:00Z"));
    ByteBuffersDirectory dir = new ByteBuffersDirectory();
    try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer()))) {
      for (int i = 0; i < 600; i++) {
        JsonNode e = EventCodec.mapper().valueToTree(gen.next());
        EVENTS.add(e);
        w.addDocument(IndexSchema.document(e, new byte[0], new IndexSchema.Origin(0, i, 0)));
      }
    }
    index = new IndexSearcher(DirectoryReader.open(dir));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "decision:allow",
        "decision:deny AND tool.server:github",
        "tool.name:create_* OR tool.name:list_*",
        "denied policy",
        "reason:\"denied by policy\"",
        "NOT reason_code:ALLOWED AND actor.on_behalf_of:\"user-3@example.org\"",
        "occurred_at:[\"2026-11-20T10:00:05Z\" TO \"2026-11-20T10:00:30Z\"]",
        "latency_us:[100 TO 50000]",
        "kind:decision AND -source.gateway:gw-1",
        "tenant:tenant-1 AND NOT decision:deny",
        "tool.name:crea* AND NOT decision:allow",
        "tool.name:run_quer? OR tool.server:slack",
        "handle.scopes:\"slack:read\" AND NOT tool.name:post_message",
        "attributes:\"mcp.protocol_version=2025-11-25\" AND latency_us:{1000 TO *]",
        "(decision:deny OR reason_code:ALLOWED) AND -(tool.server:aws OR tool.server:jira)",
        "actor.id:[spiffe\\://example.org/agent/a-1 TO spiffe\\://example.org/agent/a-3]",
        "occurred_at:[* TO \"2026-11-20T10:00:02Z\"] AND reason:policy",
        "decision:allow OR decision:deny"
      })
  void matchesWhatTheIndexMatches(String q) throws Exception {
    Query query = SearchSyntax.parse(q, TermPolicy.DEFAULT);
    EventDocument doc = new EventDocument();
    int inMemory = 0;
    int onlyItsFields = 0;
    for (JsonNode e : EVENTS) {
      if (doc.load(e).matches(query)) {
        inMemory++;
      }
      if (doc.load(e, RuleCodec.fields(query)).matches(query)) {
        onlyItsFields++;
      }
    }
    assertThat(inMemory).as(q).isEqualTo(index.count(query)).isPositive();
    assertThat(onlyItsFields).as(q).isEqualTo(inMemory);
    // As the detector asks it: a book of the one rule, its required terms checked first.
    RuleBook book =
        RuleBook.of(
            java.util.List.of(
                new CustomRule(
                    "r",
                    "r",
                    CustomRule.EVERY_TENANT,
                    q,
                    java.util.List.of(),
                    1,
                    java.time.Duration.ofMinutes(1),
                    dev.mcpaudit.schema.alert.Severity.LOW,
                    java.time.Duration.ofMinutes(1),
                    java.util.List.of(),
                    true,
                    1,
                    null,
                    null,
                    false)),
            TermPolicy.DEFAULT,
            why -> {});
    int byBook = 0;
    for (JsonNode e : EVENTS) {
      byBook += book.matches(e.path("tenant").asText(), e, doc).size();
    }
    assertThat(byBook).as(q).isEqualTo(inMemory);
  }
}
