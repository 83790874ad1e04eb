package dev.mcpaudit.queryapi.store;

/**
 * What a question to the event store can fail with, as the store and the features say it; the HTTP
 * edge maps each to its problem+json once ({@code http.StoreErrors}). No stack trace: these are
 * answers, not faults.
 */
public abstract sealed class StoreException extends RuntimeException
    permits InvalidQuery,
        TenantNotCovered,
        IndexUnavailable,
        QueryTimedOut,
        AmbiguousEventId,
        TooManySearches {
  StoreException(String message) {
    super(message, null, false, false);
  }
}
