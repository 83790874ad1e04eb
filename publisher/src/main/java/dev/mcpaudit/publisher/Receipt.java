package dev.mcpaudit.publisher;

/**
 * What became of a published event. {@code ACKNOWLEDGED}: Kafka has it (all in-sync replicas), at
 * {@code partition}/{@code offset}. {@code SPOOLED}: the publisher closed before Kafka took it; it
 * is durable in the spool and the next publisher on the same spool directory sends it.
 */
public record Receipt(String eventId, Delivery delivery, int partition, long offset) {
  public enum Delivery {
    ACKNOWLEDGED,
    SPOOLED
  }

  static Receipt spooled(String eventId) {
    return new Receipt(eventId, Delivery.SPOOLED, -1, -1);
  }
}
