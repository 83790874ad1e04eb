package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.Provenance;
import java.time.Instant;
import java.util.Optional;

/**
 * One event as stored, with what the pipeline recorded about it.
 *
 * @param provenance how it arrived (docs/provenance.md); empty for events indexed before provenance
 *     was recorded
 * @param partition the Kafka partition and offset it was read from
 * @param source the stored record byte for byte (what its evidence leaf is made of), or null where
 *     the store does not give it
 * @param leaf its leaf index in its evidence log, or -1 when it is in none
 */
public record StoredEvent(
    JsonNode event,
    Instant ingestedAt,
    Optional<Provenance> provenance,
    int partition,
    long offset,
    byte[] source,
    long leaf) {
  public StoredEvent(
      JsonNode event,
      Instant ingestedAt,
      Optional<Provenance> provenance,
      int partition,
      long offset) {
    this(event, ingestedAt, provenance, partition, offset, null, -1);
  }
}
