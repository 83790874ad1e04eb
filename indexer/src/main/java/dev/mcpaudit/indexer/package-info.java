/**
 * Kafka to Lucene, exactly once: offsets live in the Lucene commit, documents are keyed by
 * event_id, poison messages go to the dead-letter topic. Guarantees: docs/architecture.md,
 * "Guarantees by stage".
 */
package dev.mcpaudit.indexer;
