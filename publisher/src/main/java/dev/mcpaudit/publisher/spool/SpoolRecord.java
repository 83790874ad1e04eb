package dev.mcpaudit.publisher.spool;

/** One spooled Kafka record: its sequence number in the spool, key and value bytes. */
public record SpoolRecord(long seq, String key, byte[] value) {}
