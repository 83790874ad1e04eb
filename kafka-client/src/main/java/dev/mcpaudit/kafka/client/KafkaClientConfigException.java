package dev.mcpaudit.kafka.client;

/** A Kafka client setting that is unknown, owned by mcp-audit or weaker than it needs. */
public final class KafkaClientConfigException extends IllegalArgumentException {
  public KafkaClientConfigException(String message) {
    super(message);
  }
}
