package dev.mcpaudit.queryapi.store;

import dev.mcpaudit.index.Provenance;

/**
 * An alert's record as the indexer stored it, and its place in its tenant's alert log (README,
 * "Evidence bundles"): what an alert's own inclusion proof is made of.
 *
 * @param source the alert as the detector wrote it, byte for byte
 * @param partition the alerts topic's partition it was read from (its log)
 * @param leaf its leaf in that log, or -1 when it is in none (the log was off)
 * @param provenance who stamped it, as its leaf was hashed
 */
public record StoredAlert(
    String tenant,
    String alertId,
    byte[] source,
    int partition,
    long leaf,
    Provenance provenance) {}
