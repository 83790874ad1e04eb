package dev.mcpaudit.indexer.store;

/**
 * The recorded version of an event: its bytes as stored and where they came from in Kafka. {@code
 * source} is the stored event JSON (what {@code _source} holds).
 */
public record StoredVersion(byte[] source, int partition, long offset) {}
