package dev.mcpaudit.kafka.client;

/**
 * Kafka refused this client's credentials, trust or rights, or the client could not be built from
 * its settings: retrying cannot help, so the role stops with this message (which holds no secret).
 */
public final class KafkaAccessRefused extends RuntimeException {
  public KafkaAccessRefused(String message) {
    super(message, null, false, false);
  }
}
