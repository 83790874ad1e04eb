package dev.mcpaudit.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexableField;
import org.junit.jupiter.api.Test;

/**
 * The OpenSearch template says what the Lucene schema says: every field of {@link IndexSchema} is
 * mapped, with the same kind, and a document carries exactly the values the Lucene document
 * indexes.
 */
class DecisionMappingTest {
  static final OpenSearchSettings SETTINGS = OpenSearchSettings.from(Settings.of(Map.of()));
  static final IndexNames NAMES = new IndexNames("mcp-audit");

  static JsonNode mapping(String dotted) {
    JsonNode at =
        DecisionMapping.decisionsTemplate(NAMES, SETTINGS, StoredCompression.DEFLATE)
            .path("template")
            .path("mappings");
    for (String part : DecisionMapping.path(dotted).split("\\.")) {
      at = at.path("properties").path(part);
    }
    return at;
  }

  @Test
  void everyLuceneFieldIsMappedWithItsKind() {
    for (String f : IndexSchema.FACETS) {
      assertThat(mapping(f).path("type").asText()).as(f).isEqualTo("keyword");
      assertThat(mapping(f).has("doc_values")).as(f + " is counted: doc values").isFalse();
    }
    for (String f : IndexSchema.KEYWORDS_ONLY) {
      assertThat(mapping(f).path("type").asText()).as(f).isEqualTo("keyword");
      assertThat(mapping(f).path("doc_values").asBoolean(true)).as(f).isFalse();
    }
    for (String f : IndexSchema.TEXT) {
      assertThat(mapping(f).path("type").asText()).as(f).isEqualTo("text");
    }
    for (String f : IndexSchema.TIMES) {
      assertThat(mapping(f).path("type").asText()).as(f).isEqualTo("date");
    }
    assertThat(mapping(IndexSchema.LATENCY_US).path("type").asText()).isEqualTo("long");
    assertThat(mapping(IndexSchema.SOURCE_JSON).path("enabled").asBoolean(true)).isFalse();
    ObjectNode template =
        DecisionMapping.decisionsTemplate(NAMES, SETTINGS, StoredCompression.DEFLATE);
    assertThat(template.path("template").path("mappings").path("dynamic").asText())
        .isEqualTo("strict");
    assertThat(template.path("index_patterns").get(0).asText()).isEqualTo("mcp-audit-decisions-*");
    assertThat(template.path("template").path("settings").path("index").path("codec").asText())
        .isEqualTo("best_compression");
  }

  @Test
  void aDocumentHoldsExactlyWhatTheLuceneDocumentIndexes() throws Exception {
    SyntheticEvents gen =
        new SyntheticEvents(3, Instant.parse("2026-03-01T10:00:00Z"), Duration.ofSeconds(1));
    for (int i = 0; i < 200; i++) {
      AuthzEvent e = gen.next();
      byte[] raw = EventCodec.encode(e);
      Document lucene =
          IndexSchema.document(
              EventCodec.mapper().readTree(raw),
              raw,
              new IndexSchema.Origin(2, 40 + i, 1_000L + i));
      JsonNode doc = EventCodec.mapper().readTree(Documents.decision(lucene));
      List<String> terms = new ArrayList<>();
      for (IndexableField f : lucene.getFields()) {
        if (f.fieldType().indexOptions() != IndexOptions.NONE && f.stringValue() != null) {
          terms.add(f.name() + "=" + f.stringValue());
        }
      }
      List<String> written = new ArrayList<>();
      doc.fields()
          .forEachRemaining(
              kv -> {
                if (kv.getValue().isTextual()) {
                  written.add(kv.getKey() + "=" + kv.getValue().textValue());
                } else if (kv.getValue().isArray()) {
                  kv.getValue().forEach(v -> written.add(kv.getKey() + "=" + v.textValue()));
                }
              });
      assertThat(written).containsExactlyInAnyOrderElementsOf(terms);
      assertThat(doc.path("occurred_at").asLong()).isEqualTo(e.occurredAt().toEpochMilli());
      assertThat(doc.path("kafka.partition").asInt()).isEqualTo(2);
      assertThat(doc.path("kafka.offset").asLong()).isEqualTo(40 + i);
      assertThat(doc.path("ingested_at").asLong()).isEqualTo(1_000L + i);
      assertThat(doc.path("event")).isEqualTo(EventCodec.mapper().readTree(raw));
    }
  }

  @Test
  void aStoredEventWrittenOverSeveralLinesBecomesOneLineOfTheBulkRequest() throws Exception {
    AuthzEvent e = new SyntheticEvents(4, Instant.parse("2026-03-01T10:00:00Z")).next();
    byte[] pretty =
        EventCodec.mapper()
            .writerWithDefaultPrettyPrinter()
            .writeValueAsBytes(EventCodec.mapper().readTree(EventCodec.encode(e)));
    assertThat(new String(pretty, StandardCharsets.UTF_8)).contains("\n");
    Document lucene =
        IndexSchema.document(
            EventCodec.mapper().readTree(pretty), pretty, new IndexSchema.Origin(0, 0, 0));
    String doc = new String(Documents.decision(lucene), StandardCharsets.UTF_8);
    assertThat(doc).doesNotContain("\n").doesNotContain("\r");
    assertThat(EventCodec.mapper().readTree(doc).path("event"))
        .isEqualTo(EventCodec.mapper().readTree(pretty));
  }

  @Test
  void namesAreByTheEventsOwnUtcDayAndIdsKeepTenantsApart() {
    assertThat(NAMES.decisionsIndex(Instant.parse("2026-03-01T23:59:59.999Z")))
        .isEqualTo("mcp-audit-decisions-2026.03.01");
    assertThat(NAMES.decisionsIndex(Instant.parse("2026-03-02T00:00:00Z")))
        .isEqualTo("mcp-audit-decisions-2026.03.02");
    assertThat(NAMES.dayOf("mcp-audit-decisions-2026.03.02"))
        .contains(java.time.LocalDate.of(2026, 3, 2));
    assertThat(NAMES.dayOf("mcp-audit-decisions-latest")).isEmpty();
    assertThat(NAMES.alertsIndex(Instant.parse("2026-03-02T00:00:00Z")))
        .isEqualTo("mcp-audit-alerts-2026.03");
    // "a" + "\0bc" and "a\0b" + "c" would collide if the parts were simply joined.
    assertThat(IndexNames.documentId("acme", "e-1"))
        .isNotEqualTo(IndexNames.documentId("globex", "e-1"));
    assertThat(IndexNames.documentId("acme", "e-1")).hasSize(43).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void theIsmPolicyMergesThenDeletesAndAttachesItselfToNewDailyIndices() {
    ObjectNode p =
        ClusterSetup.policy(NAMES, Duration.ofDays(2), Duration.ofDays(30)).with("policy");
    assertThat(p.path("states").findValuesAsText("name"))
        .containsExactly("hot", "merged", "delete");
    assertThat(p.at("/states/0/transitions/0/conditions/min_index_age").asText()).isEqualTo("2d");
    assertThat(p.at("/states/1/actions/0/force_merge/max_num_segments").asInt()).isEqualTo(1);
    assertThat(p.at("/states/1/transitions/0/conditions/min_index_age").asText()).isEqualTo("30d");
    assertThat(p.at("/ism_template/0/index_patterns/0").asText())
        .isEqualTo("mcp-audit-decisions-*");
    ObjectNode kept =
        ClusterSetup.policy(NAMES, Duration.ofHours(36), Duration.ZERO).with("policy");
    assertThat(kept.path("states").findValuesAsText("name")).containsExactly("hot", "merged");
    assertThat(kept.at("/states/0/transitions/0/conditions/min_index_age").asText())
        .isEqualTo("36h");
  }
}
