/**
 * Kafka to Lucene, exactly once: offsets live in the Lucene commit, documents are keyed by
 * event_id, poison messages go to the dead-letter topic. Contract: DESIGN.md §6. Built by issue 4.
 */
package dev.mcpaudit.indexer;
