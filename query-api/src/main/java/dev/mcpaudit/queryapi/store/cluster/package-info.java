/**
 * The {@link dev.mcpaudit.queryapi.store.EventStore} over an OpenSearch cluster the indexers write
 * (docs/opensearch.md). Queries are parsed by the Lucene store's parser under the same term policy
 * and translated node for node ({@code QueryDsl}); the only other package of the API allowed to see
 * Lucene's query classes (checked by {@code LayeringTest}).
 */
package dev.mcpaudit.queryapi.store.cluster;
