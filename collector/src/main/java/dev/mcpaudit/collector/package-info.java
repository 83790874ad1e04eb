/**
 * How decisions get in: the {@code DecisionPublisher} library for Java MCP servers and gateways
 * (validate, key by handle, spool durably when Kafka is away) and the HTTP ingestion role
 * ({@code POST /v1/decisions}). Contract: DESIGN.md §3-§5. Built by issue 3.
 */
package dev.mcpaudit.collector;
