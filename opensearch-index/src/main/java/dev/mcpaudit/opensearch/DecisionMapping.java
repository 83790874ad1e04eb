package dev.mcpaudit.opensearch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import java.util.List;
import java.util.Map;

/**
 * The index templates: the Lucene schema ({@link IndexSchema}) said again in OpenSearch's mapping
 * language, derived from the same field lists so the two cannot drift. Strict: a document with a
 * field the template does not know is refused, as the validator refuses it before. The event as
 * stored is kept whole under {@code event}, not indexed (its searchable parts are the fields beside
 * it).
 */
public final class DecisionMapping {
  /** The stored event, as received (after the indexer's provenance rules). */
  public static final String EVENT = "event";

  /** The stored alert, as the detector wrote it. */
  public static final String ALERT = "alert";

  /**
   * Lucene field names that cannot be OpenSearch paths as they are: {@code provenance} is both a
   * value and the parent of {@code provenance.by}, and names starting with {@code _} are the
   * cluster's own.
   */
  private static final Map<String, String> RENAMED =
      Map.of(
          IndexSchema.PROVENANCE, "provenance.kind",
          IndexSchema.KAFKA_PARTITION, "kafka.partition",
          IndexSchema.KAFKA_OFFSET, "kafka.offset",
          IndexSchema.SOURCE_JSON, EVENT);

  /** The alert fields kept as single keywords, as the Lucene alerts index keeps them. */
  static final List<String> ALERT_KEYWORDS =
      List.of(
          AlertFields.ALERT_ID,
          AlertFields.TYPE,
          AlertFields.SEVERITY,
          AlertFields.TENANT,
          AlertFields.SUBJECT,
          AlertFields.ACTOR,
          AlertFields.HANDLE,
          AlertFields.TOOL);

  /** Bumped when the template changes; installed templates carry it. */
  public static final int VERSION = 1;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private DecisionMapping() {}

  /** The OpenSearch path of a Lucene field of {@link IndexSchema}. */
  public static String path(String luceneField) {
    return RENAMED.getOrDefault(luceneField, luceneField);
  }

  /** {@code PUT _index_template/<prefix>-decisions} */
  public static ObjectNode decisionsTemplate(
      IndexNames names, OpenSearchSettings s, StoredCompression compression) {
    ObjectNode props = F.objectNode();
    for (String f : IndexSchema.FACETS) {
      put(props, path(f), keyword(true));
    }
    for (String f : IndexSchema.KEYWORDS_ONLY) {
      put(props, path(f), keyword(false));
    }
    for (String f : IndexSchema.TEXT) {
      put(props, path(f), F.objectNode().put("type", "text").put("analyzer", "standard"));
    }
    for (String f : IndexSchema.TIMES) {
      put(props, path(f), date());
    }
    put(props, IndexSchema.INGESTED_AT, date());
    put(props, IndexSchema.LATENCY_US, F.objectNode().put("type", "long"));
    put(
        props,
        path(IndexSchema.KAFKA_PARTITION),
        F.objectNode().put("type", "integer").put("index", false));
    put(
        props,
        path(IndexSchema.KAFKA_OFFSET),
        F.objectNode().put("type", "long").put("index", false));
    put(props, EVENT, F.objectNode().put("type", "object").put("enabled", false));
    decisionEvidenceFields().fields().forEachRemaining(e -> props.set(e.getKey(), e.getValue()));
    ObjectNode settings =
        indexSettings(s, s.shards(), compression)
            // Oldest first by occurred_at, as the Lucene index: time windows are doc ranges.
            .put("sort.field", IndexSchema.OCCURRED_AT)
            .put("sort.order", "asc");
    return template(names.decisionsPattern(), settings, props, 100);
  }

  /** {@code PUT _index_template/<prefix>-alerts}: alerts are rare, one shard a month. */
  public static ObjectNode alertsTemplate(IndexNames names, OpenSearchSettings s) {
    ObjectNode props = F.objectNode();
    for (String f : ALERT_KEYWORDS) {
      put(props, f, keyword(true));
    }
    put(props, AlertFields.EVIDENCE, keyword(true));
    put(props, AlertFields.DETECTED_AT, date());
    put(props, ALERT, F.objectNode().put("type", "object").put("enabled", false));
    alertStateFields().fields().forEachRemaining(e -> props.set(e.getKey(), e.getValue()));
    return template(
        names.alertsPattern(), indexSettings(s, 1, StoredCompression.DEFLATE), props, 100);
  }

  /**
   * A decision's place in its evidence log (README, "Verifiable evidence"): also put on daily
   * indices created before it existed ({@link ClusterSetup}).
   */
  public static ObjectNode decisionEvidenceFields() {
    ObjectNode props = F.objectNode();
    put(props, IndexSchema.EVIDENCE_LEAF, F.objectNode().put("type", "long").put("index", false));
    // Partition and leaf in one number: a range of one log's leaves is one range query, in order.
    put(props, IndexSchema.EVIDENCE_POSITION, F.objectNode().put("type", "long"));
    return props;
  }

  /**
   * The evidence index ({@code <prefix>-evidence}): the evidence logs' stored subtrees in tiles of
   * 16 hashes, one document per log with its size and right edge, and the signed checkpoints.
   */
  public static ObjectNode evidenceIndex(OpenSearchSettings s) {
    ObjectNode props = F.objectNode();
    put(props, EvidenceDocs.KIND, keyword(true));
    put(props, EvidenceDocs.TENANT, keyword(true));
    put(props, EvidenceDocs.PARTITION, F.objectNode().put("type", "integer"));
    put(props, EvidenceDocs.LEVEL, F.objectNode().put("type", "integer"));
    put(props, EvidenceDocs.TILE, F.objectNode().put("type", "long"));
    put(props, EvidenceDocs.SIZE, F.objectNode().put("type", "long"));
    put(props, EvidenceDocs.TIME, date());
    put(props, EvidenceDocs.HASHES, F.objectNode().put("type", "binary"));
    put(props, EvidenceDocs.FRONTIER, F.objectNode().put("type", "object").put("enabled", false));
    put(props, EvidenceDocs.NOTE, F.objectNode().put("type", "object").put("enabled", false));
    ObjectNode body = F.objectNode();
    body.putObject("settings")
        .putObject("index")
        .put("number_of_shards", 1)
        .put("number_of_replicas", s.replicas());
    ObjectNode mappings = body.putObject("mappings");
    mappings.put("dynamic", "strict");
    mappings.set("properties", props);
    return body;
  }

  /**
   * The workflow fields of an alert's document (docs/alerts.md): also put on alert indices created
   * before they existed ({@link ClusterSetup}).
   */
  public static ObjectNode alertStateFields() {
    ObjectNode props = F.objectNode();
    put(props, AlertFields.STATUS, keyword(true));
    put(props, AlertFields.ASSIGNEE, keyword(true));
    put(props, AlertFields.CLOSE_REASON, keyword(true));
    put(props, AlertFields.TRACK_ONLY, F.objectNode().put("type", "boolean"));
    put(props, AlertFields.TRACK, F.objectNode().put("type", "object").put("enabled", false));
    return props;
  }

  private static ObjectNode indexSettings(
      OpenSearchSettings s, int shards, StoredCompression compression) {
    ObjectNode idx = F.objectNode();
    idx.put("number_of_shards", shards);
    idx.put("number_of_replicas", s.replicas());
    idx.put("refresh_interval", s.refreshInterval().toMillis() + "ms");
    idx.put("codec", compression == StoredCompression.DEFLATE ? "best_compression" : "default");
    return idx;
  }

  private static ObjectNode template(
      String pattern, ObjectNode indexSettings, ObjectNode props, int priority) {
    ObjectNode t = F.objectNode();
    t.putArray("index_patterns").add(pattern);
    t.put("priority", priority);
    t.put("version", VERSION);
    t.putObject("_meta").put("managed_by", "mcp-audit").put("schema_version", VERSION);
    ObjectNode body = t.putObject("template");
    body.putObject("settings").set("index", indexSettings);
    ObjectNode mappings = body.putObject("mappings");
    mappings.put("dynamic", "strict");
    mappings.putObject("_source").put("enabled", true);
    mappings.set("properties", props);
    return t;
  }

  private static ObjectNode keyword(boolean docValues) {
    ObjectNode k = F.objectNode().put("type", "keyword");
    if (!docValues) {
      k.put("doc_values", false);
    }
    return k;
  }

  private static ObjectNode date() {
    return F.objectNode().put("type", "date").put("format", "epoch_millis");
  }

  /** Puts {@code mapping} at a dotted path, making the objects on the way. */
  private static void put(ObjectNode props, String dotted, ObjectNode mapping) {
    String[] parts = dotted.split("\\.");
    ObjectNode at = props;
    for (int i = 0; i < parts.length - 1; i++) {
      ObjectNode obj = (ObjectNode) at.get(parts[i]);
      if (obj == null) {
        obj = at.putObject(parts[i]);
        obj.put("type", "object");
      }
      at = obj.has("properties") ? (ObjectNode) obj.get("properties") : obj.putObject("properties");
    }
    if (at.has(parts[parts.length - 1])) {
      throw new IllegalStateException(dotted + " is mapped twice");
    }
    at.set(parts[parts.length - 1], mapping);
  }
}
