package dev.mcpaudit.queryapi.store;

/**
 * An event's place in the newest-first order every search page uses: by occurred_at, newest first,
 * ties broken by event_id ascending, so every event has exactly one place and a page can resume
 * right after one.
 */
public record Position(long occurredAt, String eventId) {}
