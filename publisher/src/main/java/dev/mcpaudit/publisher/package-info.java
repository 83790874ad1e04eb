/**
 * The {@code DecisionPublisher} library for Java MCP servers and gateways: validate each decision,
 * key it by handle, spool it durably when Kafka is away. Its jar depends on the event contract,
 * kafka-clients and slf4j only. The contract and the guarantees: docs/architecture.md.
 */
package dev.mcpaudit.publisher;
