package dev.mcpaudit.publisher.spool;

/** The spool reached its size limit: Kafka has been unreachable for too long to keep buffering. */
public final class SpoolFullException extends RuntimeException {
  public SpoolFullException(String message) {
    super(message, null, false, false);
  }
}
