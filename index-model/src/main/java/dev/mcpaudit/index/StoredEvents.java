package dev.mcpaudit.index;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.util.BytesRef;

/**
 * The one reader of what an index stores of a record: the JSON it arrived as, in {@link
 * IndexSchema#SOURCE_JSON} (events and alerts alike). Every feature that shows, exports or compares
 * a stored record reads it here.
 */
public final class StoredEvents {
  /** Ask the stored fields for this alone: the other stored fields are bookkeeping. */
  public static final Set<String> SOURCE_ONLY = Set.of(IndexSchema.SOURCE_JSON);

  /** The source and how it arrived: what exports and pages of one event show. */
  public static final Set<String> SOURCE_AND_PROVENANCE =
      Set.of(IndexSchema.SOURCE_JSON, IndexSchema.PROVENANCE, IndexSchema.PROVENANCE_BY);

  /** The source, how it arrived and where it is in its log: what evidence bundles read. */
  public static final Set<String> SOURCE_AND_POSITION =
      Set.of(
          IndexSchema.SOURCE_JSON,
          IndexSchema.PROVENANCE,
          IndexSchema.PROVENANCE_BY,
          IndexSchema.KAFKA_PARTITION,
          IndexSchema.EVIDENCE_LEAF);

  private StoredEvents() {}

  /** The Kafka partition the record was read from, or -1. */
  public static int partition(Document d) {
    org.apache.lucene.index.IndexableField f = d.getField(IndexSchema.KAFKA_PARTITION);
    return f == null ? -1 : f.numericValue().intValue();
  }

  /** The record's leaf in its evidence log, or -1 when it is in none. */
  public static long leaf(Document d) {
    org.apache.lucene.index.IndexableField f = d.getField(IndexSchema.EVIDENCE_LEAF);
    return f == null ? -1 : f.numericValue().longValue();
  }

  /** How the document's event arrived; null for a document indexed before provenance was kept. */
  public static Provenance provenance(Document d) {
    String kind = d.get(IndexSchema.PROVENANCE);
    return kind == null ? null : new Provenance(kind, d.get(IndexSchema.PROVENANCE_BY));
  }

  /** The record's bytes as stored. */
  public static byte[] bytes(Document d) {
    BytesRef raw = d.getBinaryValue(IndexSchema.SOURCE_JSON);
    return raw.offset == 0 && raw.length == raw.bytes.length
        ? raw.bytes
        : Arrays.copyOfRange(raw.bytes, raw.offset, raw.offset + raw.length);
  }

  /** The bytes of document {@code doc}, loading its source field only. */
  public static byte[] bytes(StoredFields stored, int doc) throws IOException {
    return bytes(stored.document(doc, SOURCE_ONLY));
  }

  /** The record as stored, parsed. */
  public static JsonNode json(Document d) throws IOException {
    BytesRef raw = d.getBinaryValue(IndexSchema.SOURCE_JSON);
    return EventCodec.mapper().readTree(raw.bytes, raw.offset, raw.length);
  }
}
