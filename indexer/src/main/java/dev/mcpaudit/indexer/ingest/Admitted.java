package dev.mcpaudit.indexer.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.indexer.store.RecordKey;
import dev.mcpaudit.indexer.store.StoredVersion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexableField;

/**
 * A record that passed the contract and its provenance rules, with its key and its Lucene document
 * (the one schema both backends index from), waiting for its write-once check.
 *
 * @param tree the event as it will be stored
 * @param value its bytes as they will be stored
 * @param leafHash its evidence-log leaf hash, when the log is on (else null)
 */
public record Admitted(
    ConsumerRecord<byte[], byte[]> record,
    JsonNode tree,
    byte[] value,
    RecordKey key,
    Document doc,
    byte[] leafHash) {
  public Admitted(
      ConsumerRecord<byte[], byte[]> record,
      JsonNode tree,
      byte[] value,
      RecordKey key,
      Document doc) {
    this(record, tree, value, key, doc, null);
  }

  /** This record as the recorded version, should it be the first. */
  public StoredVersion asStored() {
    IndexableField leaf = doc.getField(IndexSchema.EVIDENCE_LEAF);
    return new StoredVersion(
        value,
        record.partition(),
        record.offset(),
        leaf == null ? -1 : leaf.numericValue().longValue(),
        dev.mcpaudit.index.StoredEvents.provenance(doc));
  }
}
