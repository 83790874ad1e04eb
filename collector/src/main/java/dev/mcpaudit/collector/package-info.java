/**
 * The HTTP ingestion role ({@code POST /v1/decisions}): authenticate the source, validate and scope
 * each item, publish to Kafka, dead-letter what is refused. Java gateways can publish with the
 * {@code publisher} module's library instead. The contract and the collector's guarantees:
 * docs/architecture.md.
 */
package dev.mcpaudit.collector;
