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

  private StoredEvents() {}

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
