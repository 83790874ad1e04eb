/**
 * One way to configure Kafka clients for every role and for the publisher library: bootstrap list,
 * security passthrough, guarded correctness settings, redacted secrets.
 */
package dev.mcpaudit.kafka.client;
