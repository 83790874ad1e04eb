/**
 * The event store as the API's features see it: what they ask, and what it can fail with, in plain
 * Java types. HTTP is not spoken here; {@code http} maps these errors to problem+json.
 */
package dev.mcpaudit.queryapi.store;
