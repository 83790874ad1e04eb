package dev.mcpaudit.indexer.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.indexer.store.RecordKey;
import dev.mcpaudit.indexer.store.StoredVersion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.lucene.document.Document;

/**
 * A record that passed the contract and its provenance rules, with its key and its Lucene document
 * (the one schema both backends index from), waiting for its write-once check.
 *
 * @param tree the event as it will be stored
 * @param value its bytes as they will be stored
 */
public record Admitted(
    ConsumerRecord<byte[], byte[]> record,
    JsonNode tree,
    byte[] value,
    RecordKey key,
    Document doc) {
  /** This record as the recorded version, should it be the first. */
  public StoredVersion asStored() {
    return new StoredVersion(value, record.partition(), record.offset());
  }
}
