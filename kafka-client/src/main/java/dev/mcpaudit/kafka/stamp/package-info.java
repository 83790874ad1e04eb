/**
 * Stamps: a MAC in a Kafka header that proves which mcp-audit writer produced a record, so the
 * indexer, the detector and the webhook sink can tell a collector's record, the API's audit trail
 * and the detector's alerts from anything else produced to the same topics.
 */
package dev.mcpaudit.kafka.stamp;
