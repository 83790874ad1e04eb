package dev.mcpaudit.indexer.store;

import dev.mcpaudit.index.Provenance;

/**
 * The recorded version of an event: its bytes as stored and where they came from in Kafka. {@code
 * source} is the stored event JSON (what {@code _source} holds); {@code leaf} its index in its
 * evidence log, or -1 when it has none; {@code provenance} how it arrived as recorded (null where
 * not known), which with {@code source} makes its leaf.
 */
public record StoredVersion(
    byte[] source, int partition, long offset, long leaf, Provenance provenance) {
  public StoredVersion(byte[] source, int partition, long offset) {
    this(source, partition, offset, -1, null);
  }
}
