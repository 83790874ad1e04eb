/**
 * The index as the indexer writes it and the API reads it: {@link dev.mcpaudit.index.IndexSchema}
 * (how an event becomes a Lucene document), {@link dev.mcpaudit.index.AlertFields}, the
 * stored-events codec (registered in {@code META-INF/services}, so any reader of the index finds
 * it), the compression choice and the Kafka offsets a commit records. No role code: the indexer and
 * the API both depend on this module, never on each other.
 */
package dev.mcpaudit.index;
