/**
 * The index on an OpenSearch cluster, as the indexer writes it and the API reads it
 * (docs/opensearch.md): {@link dev.mcpaudit.opensearch.OpenSearchSettings} (hosts, authentication,
 * TLS, layout), {@link dev.mcpaudit.opensearch.Cluster} (the client), {@link
 * dev.mcpaudit.opensearch.IndexNames} (daily indices, document ids), {@link
 * dev.mcpaudit.opensearch.DecisionMapping} and {@link dev.mcpaudit.opensearch.Documents} (the same
 * fields as the Lucene schema), {@link dev.mcpaudit.opensearch.ClusterSetup} (templates and ISM
 * policy). No role code.
 */
package dev.mcpaudit.opensearch;
