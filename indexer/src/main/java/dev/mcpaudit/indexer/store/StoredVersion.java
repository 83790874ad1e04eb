package dev.mcpaudit.indexer.store;

/**
 * The recorded version of an event: its bytes as stored and where they came from in Kafka. {@code
 * source} is the stored event JSON (what {@code _source} holds); {@code leaf} its index in its
 * evidence log, or -1 when it has none.
 */
public record StoredVersion(byte[] source, int partition, long offset, long leaf) {
  public StoredVersion(byte[] source, int partition, long offset) {
    this(source, partition, offset, -1);
  }
}
