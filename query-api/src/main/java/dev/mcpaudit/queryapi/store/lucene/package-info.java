/**
 * The {@link dev.mcpaudit.queryapi.store.EventStore} over the embedded Lucene indexes the indexer
 * writes: the single-machine default, and the only package of the API that speaks Lucene (checked
 * by {@code LayeringTest}). docs/architecture.md, "The query API's layers".
 */
package dev.mcpaudit.queryapi.store.lucene;
