package dev.mcpaudit.queryapi.store;

/**
 * The leaves of one evidence log (a tenant's log of one partition) that a query's matches hold:
 * from {@code first} to {@code last}, both included; a range bundle widens a time range to them.
 */
public record LeafSpan(int partition, long first, long last) {}
