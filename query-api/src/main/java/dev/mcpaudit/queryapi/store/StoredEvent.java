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
 */
public record StoredEvent(
    JsonNode event,
    Instant ingestedAt,
    Optional<Provenance> provenance,
    int partition,
    long offset) {}
