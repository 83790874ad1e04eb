/**
 * How decisions get in: the {@code DecisionPublisher} library for Java MCP servers and gateways
 * (validate, key by handle, spool durably when Kafka is away) and the HTTP ingestion role
 * ({@code POST /v1/decisions}). The contract and the collector's guarantees: docs/architecture.md.
 */
package dev.mcpaudit.collector;
