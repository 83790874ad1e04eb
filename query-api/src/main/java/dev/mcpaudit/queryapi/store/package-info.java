/**
 * The event store as the API's features see it ({@link dev.mcpaudit.queryapi.store.EventStore}):
 * what they ask, what it answers and what it can fail with, in plain Java types, whatever engine is
 * behind it. HTTP is not spoken here; {@code http} maps these errors to problem+json. The contract
 * suite every implementation passes is {@code EventStoreContract} in the tests.
 */
package dev.mcpaudit.queryapi.store;
