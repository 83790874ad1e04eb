package dev.mcpaudit.index;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.Rfc3339;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.util.BytesRef;

/**
 * The one place that knows how an event becomes a Lucene document; the query API reads with the
 * same names. Field names are the dotted JSON paths of the event, so {@code q=actor.id:x} means
 * what an analyst expects.
 *
 * <p>Choices: every id-like value is a keyword (one exact term, no analysis, no norms); values the
 * API counts or sorts by also get sorted doc values, so facets and top-N never load stored
 * documents; times are points (range queries) plus numeric doc values (sort, histograms), and
 * {@code occurred_at} also gets the doc-values skip index, which makes time windows cheap on an
 * index sorted by time. The event as received is stored once, compressed, for display and export.
 */
public final class IndexSchema {
  public static final String EVENT_ID = "event_id";
  public static final String KIND = "kind";
  public static final String TENANT = "tenant";
  public static final String DECISION = "decision";
  public static final String REASON_CODE = "reason_code";
  public static final String REASON = "reason";
  public static final String HANDLE_ID = "handle.id";
  public static final String HANDLE_PREVIOUS_ID = "handle.previous_id";
  public static final String HANDLE_SCOPES = "handle.scopes";
  public static final String HANDLE_ISSUER = "handle.issuer";
  public static final String HANDLE_TASK = "handle.task";
  public static final String HANDLE_ISSUED_AT = "handle.issued_at";
  public static final String HANDLE_EXPIRES_AT = "handle.expires_at";
  public static final String ACTOR_ID = "actor.id";
  public static final String ACTOR_TYPE = "actor.type";
  public static final String ACTOR_ON_BEHALF_OF = "actor.on_behalf_of";
  public static final String ACTOR_CLIENT_ID = "actor.client_id";
  public static final String TOOL_SERVER = "tool.server";
  public static final String TOOL_NAME = "tool.name";
  public static final String TOOL_METHOD = "tool.method";
  public static final String TOOL_RESOURCE = "tool.resource";
  public static final String REQUEST_ID = "request.id";
  public static final String REQUEST_NONCE = "request.nonce";
  public static final String REQUEST_TRACE_ID = "request.trace_id";
  public static final String REQUEST_SPAN_ID = "request.span_id";
  public static final String SOURCE_GATEWAY = "source.gateway";
  public static final String SOURCE_WORKER = "source.worker";
  public static final String SOURCE_REGION = "source.region";
  public static final String SOURCE_AUTHENTICATED = "source.authenticated";
  public static final String POLICY_ID = "policy.id";
  public static final String POLICY_VERSION = "policy.version";
  public static final String POLICY_RULE = "policy.rule";

  /** {@code key=value} terms, one per attribute: {@code attributes:"incident=INC-1"}. */
  public static final String ATTRIBUTES = "attributes";

  public static final String OCCURRED_AT = "occurred_at";
  public static final String RECEIVED_AT = "received_at";
  public static final String INGESTED_AT = "ingested_at";
  public static final String LATENCY_US = "latency_us";
  public static final String SOURCE_JSON = "_source";
  public static final String KAFKA_PARTITION = "_kafka.partition";
  public static final String KAFKA_OFFSET = "_kafka.offset";

  /**
   * The record's leaf index in its evidence log (its tenant's log of its partition), when the
   * evidence log is on (README, "Verifiable evidence"). Stored only.
   */
  public static final String EVIDENCE_LEAF = "evidence.leaf";

  /**
   * Where the record is in its tenant's logs, {@link #evidencePosition}: indexed and sorted, so a
   * range of leaves of one log is read in leaf order (range bundles, README "Evidence bundles").
   */
  public static final String EVIDENCE_POSITION = "evidence.position";

  /** Leaves of one log a position can name: 2^40, over a trillion. */
  public static final int POSITION_LEAF_BITS = 40;

  /** The position of leaf {@code leaf} of the log of {@code partition}: partition, then leaf. */
  public static long evidencePosition(int partition, long leaf) {
    return ((long) partition << POSITION_LEAF_BITS) | leaf;
  }

  /** How the event arrived ({@link Provenance}): collector, publisher, api or kafka. */
  public static final String PROVENANCE = "provenance";

  /** Who vouched for it: the collector's authenticated source, or the stamp's key id. */
  public static final String PROVENANCE_BY = "provenance.by";

  /** Keyword fields with sorted doc values: what facets, top values and sorting read. */
  public static final List<String> FACETS =
      List.of(
          EVENT_ID,
          KIND,
          TENANT,
          DECISION,
          REASON_CODE,
          HANDLE_ID,
          ACTOR_ID,
          ACTOR_TYPE,
          ACTOR_ON_BEHALF_OF,
          TOOL_SERVER,
          TOOL_NAME,
          TOOL_METHOD,
          TOOL_RESOURCE,
          SOURCE_GATEWAY,
          SOURCE_WORKER,
          POLICY_ID,
          REQUEST_NONCE,
          PROVENANCE);

  /** Keyword fields searched exactly but never counted. */
  public static final List<String> KEYWORDS_ONLY =
      List.of(
          HANDLE_PREVIOUS_ID,
          HANDLE_ISSUER,
          ACTOR_CLIENT_ID,
          REQUEST_ID,
          REQUEST_TRACE_ID,
          REQUEST_SPAN_ID,
          SOURCE_REGION,
          SOURCE_AUTHENTICATED,
          PROVENANCE_BY,
          POLICY_VERSION,
          HANDLE_SCOPES,
          ATTRIBUTES);

  /** Analyzed text fields (tokenized, for words inside free text). */
  public static final List<String> TEXT = List.of(REASON, HANDLE_TASK, POLICY_RULE);

  /** Epoch-millisecond fields: points for ranges, numeric doc values for sort and histograms. */
  public static final List<String> TIMES =
      List.of(OCCURRED_AT, RECEIVED_AT, HANDLE_ISSUED_AT, HANDLE_EXPIRES_AT);

  /**
   * Oldest first, by occurred_at. Events arrive roughly in time order, so each flushed segment is
   * nearly sorted already and the sort costs little (newest-first measured 10-30% slower to index
   * on this schema: it reverses every segment). Time windows are contiguous doc ranges either way,
   * which is what the skip index and newest-first searches use.
   */
  public static final Sort INDEX_SORT =
      new Sort(new SortField(OCCURRED_AT, SortField.Type.LONG, false));

  private static final Set<String> FACET_SET = Set.copyOf(FACETS);

  private IndexSchema() {}

  /**
   * Where a document came from in Kafka, when the indexer took it, and how it arrived (null: not
   * recorded, as in documents written without the indexer).
   */
  public record Origin(int partition, long offset, long ingestedAtMillis, Provenance provenance) {
    public Origin(int partition, long offset, long ingestedAtMillis) {
      this(partition, offset, ingestedAtMillis, null);
    }
  }

  /**
   * Builds the document of an event that already passed the validator. {@code raw} is stored as
   * received (the canonical JSON when it came through the collector).
   */
  public static Document document(JsonNode e, byte[] raw, Origin origin) {
    Document d = new Document();
    keyword(d, EVENT_ID, e.path("event_id").textValue());
    keyword(d, KIND, e.path("kind").textValue());
    keyword(d, TENANT, e.path("tenant").textValue());
    keyword(d, DECISION, text(e, "decision"));
    keyword(d, REASON_CODE, text(e, "reason_code"));
    text(d, REASON, text(e, "reason"));

    JsonNode h = e.path("handle");
    keyword(d, HANDLE_ID, text(h, "id"));
    keyword(d, HANDLE_PREVIOUS_ID, text(h, "previous_id"));
    keyword(d, HANDLE_ISSUER, text(h, "issuer"));
    text(d, HANDLE_TASK, text(h, "task"));
    time(d, HANDLE_ISSUED_AT, text(h, "issued_at"), false);
    time(d, HANDLE_EXPIRES_AT, text(h, "expires_at"), false);
    for (JsonNode scope : h.path("scopes")) {
      d.add(new StringField(HANDLE_SCOPES, scope.textValue(), Field.Store.NO));
    }

    JsonNode a = e.path("actor");
    keyword(d, ACTOR_ID, text(a, "id"));
    keyword(d, ACTOR_TYPE, text(a, "type"));
    keyword(d, ACTOR_ON_BEHALF_OF, text(a, "on_behalf_of"));
    keyword(d, ACTOR_CLIENT_ID, text(a, "client_id"));

    JsonNode t = e.path("tool");
    keyword(d, TOOL_SERVER, text(t, "server"));
    keyword(d, TOOL_NAME, text(t, "name"));
    keyword(d, TOOL_METHOD, text(t, "method"));
    keyword(d, TOOL_RESOURCE, text(t, "resource"));

    JsonNode r = e.path("request");
    keyword(d, REQUEST_ID, text(r, "id"));
    keyword(d, REQUEST_NONCE, text(r, "nonce"));
    keyword(d, REQUEST_TRACE_ID, text(r, "trace_id"));
    keyword(d, REQUEST_SPAN_ID, text(r, "span_id"));

    JsonNode s = e.path("source");
    keyword(d, SOURCE_GATEWAY, text(s, "gateway"));
    keyword(d, SOURCE_WORKER, text(s, "worker"));
    keyword(d, SOURCE_REGION, text(s, "region"));
    keyword(d, SOURCE_AUTHENTICATED, text(s, "authenticated"));

    JsonNode p = e.path("policy");
    keyword(d, POLICY_ID, text(p, "id"));
    keyword(d, POLICY_VERSION, text(p, "version"));
    text(d, POLICY_RULE, text(p, "rule"));

    for (Iterator<Map.Entry<String, JsonNode>> it = e.path("attributes").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> kv = it.next();
      d.add(
          new StringField(
              ATTRIBUTES, kv.getKey() + "=" + kv.getValue().textValue(), Field.Store.NO));
    }

    time(d, OCCURRED_AT, e.path("occurred_at").textValue(), true);
    time(d, RECEIVED_AT, text(e, "received_at"), false);
    JsonNode latency = e.get("latency_us");
    if (latency != null) {
      d.add(new LongPoint(LATENCY_US, latency.longValue()));
      d.add(new NumericDocValuesField(LATENCY_US, latency.longValue()));
    }
    d.add(new NumericDocValuesField(INGESTED_AT, origin.ingestedAtMillis()));
    d.add(new StoredField(INGESTED_AT, origin.ingestedAtMillis()));
    d.add(new StoredField(KAFKA_PARTITION, origin.partition()));
    d.add(new StoredField(KAFKA_OFFSET, origin.offset()));
    Provenance provenance = origin.provenance();
    if (provenance != null) {
      keyword(d, PROVENANCE, provenance.kind());
      d.add(new StoredField(PROVENANCE, provenance.kind()));
      if (provenance.by() != null) {
        keyword(d, PROVENANCE_BY, provenance.by());
        d.add(new StoredField(PROVENANCE_BY, provenance.by()));
      }
    }
    d.add(new StoredField(SOURCE_JSON, raw));
    return d;
  }

  public static boolean isFacet(String field) {
    return FACET_SET.contains(field);
  }

  private static String text(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    return n == null || !n.isTextual() ? null : n.textValue();
  }

  private static void keyword(Document d, String field, String value) {
    if (value == null) {
      return;
    }
    d.add(new StringField(field, value, Field.Store.NO));
    if (FACET_SET.contains(field)) {
      d.add(new SortedDocValuesField(field, new BytesRef(value)));
    }
  }

  private static void text(Document d, String field, String value) {
    if (value != null) {
      d.add(new TextField(field, value, Field.Store.NO));
    }
  }

  private static void time(Document d, String field, String rfc3339, boolean skipIndex) {
    if (rfc3339 == null) {
      return;
    }
    long ms =
        Rfc3339.parse(rfc3339)
            .orElseThrow(() -> new IllegalArgumentException(field + " not RFC 3339"))
            .toEpochMilli();
    d.add(new LongPoint(field, ms));
    d.add(
        skipIndex
            ? NumericDocValuesField.indexedField(field, ms)
            : new NumericDocValuesField(field, ms));
  }
}
