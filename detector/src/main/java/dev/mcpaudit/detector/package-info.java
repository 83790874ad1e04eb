/**
 * The Kafka Streams detector: REPLAY, REVOKED_HANDLE_USE, EXPIRED_HANDLE_USE, DENY_BURST and
 * INCONSISTENT_DECISION alerts judged by occurred_at. Contract: DESIGN.md §8. Built by issue 7.
 */
package dev.mcpaudit.detector;
