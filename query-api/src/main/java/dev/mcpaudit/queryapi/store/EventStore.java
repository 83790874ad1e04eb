package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.runtime.health.Health;
import java.util.Optional;

/**
 * Every question the API puts to the stored events and alerts, in plain types: the HTTP layer and
 * the UI depend on this and on nothing of the engine behind it (docs/architecture.md, "The query
 * API's layers"). Today's implementation is the embedded Lucene index ({@code store.lucene}).
 *
 * <p>Every method reads only the tenants of its {@link TenantScope} and fails only with a {@link
 * StoreException}: {@link InvalidQuery} for a query the store refuses, {@link QueryTimedOut} past
 * the request's time limit, {@link TooManySearches} when the caller already runs its share, {@link
 * IndexUnavailable} while the store cannot be read, {@link AmbiguousEventId} for an id held by
 * several tenants in scope. The {@code store} contract tests pin the answers every implementation
 * must give.
 */
public interface EventStore {
  /**
   * The newest {@code limit} matches after {@code after} (or from the top), with the exact number
   * of matches.
   */
  EventPage search(TenantScope scope, EventQuery query, Optional<Position> after, int limit);

  /** The exact number of matches. */
  long count(TenantScope scope, EventQuery query);

  /**
   * The event with this id among the tenants in scope.
   *
   * @throws AmbiguousEventId when several tenants in scope hold an event with this id
   */
  Optional<StoredEvent> event(TenantScope scope, String eventId);

  /** Every decision of an actor, or of the actors acting for a user, in a window, by tool. */
  AccessReport access(TenantScope scope, AccessReport.Subject subject, String id, TimeRange range);

  /**
   * The life of a handle across every tenant the caller sees (a handle's life is read whole,
   * whatever the scope's one tenant is); empty when it never appears there.
   */
  Optional<HandleReport> handle(TenantScope scope, String handleId);

  /**
   * The {@code size} most frequent values of {@code field} (one of {@link TopValues#FIELDS}) among
   * the matches.
   *
   * @throws InvalidQuery when more than {@link TopValues#MAX_VALUES} distinct values match
   */
  TopValues top(TenantScope scope, EventQuery query, String field, int size);

  /**
   * Decisions among the matches per bucket of {@code intervalMs}, {@code buckets} of them from the
   * start of the query's range.
   */
  Histogram histogram(TenantScope scope, EventQuery query, long intervalMs, int buckets);

  /**
   * The newest alerts in scope that match, with how many match in all and the counts by status and
   * assignee ({@link AlertView}: each with its workflow state and previous alert).
   */
  AlertPage alerts(TenantScope scope, AlertQuery query);

  /**
   * The alert with this id among the tenants in scope, with its state's whole history ({@link
   * AlertView}).
   *
   * @throws AmbiguousEventId when several tenants in scope hold an alert with this id
   */
  Optional<JsonNode> alert(TenantScope scope, String alertId);

  /**
   * The stored record of the alert with this id among the tenants in scope, with its place in its
   * alert log; empty where the store keeps none (README, "Evidence bundles").
   */
  default Optional<StoredAlert> alertRecord(TenantScope scope, String alertId) {
    return Optional.empty();
  }

  /**
   * Every match, oldest first, as a stream; {@code decisionsOnly} leaves out the handle lifecycle
   * events.
   */
  ExportStream export(TenantScope scope, EventQuery query, boolean decisionsOnly);

  /**
   * Per evidence log of the scope's one tenant, the first and last leaf among the matches (records
   * in no log left out), by partition.
   */
  java.util.List<LeafSpan> leafSpans(TenantScope scope, EventQuery query);

  /**
   * Leaves {@code [from, to)} of the log of {@code partition} of the scope's one tenant, by their
   * place in it ({@code evidence.position}).
   */
  LeafRange leaves(TenantScope scope, int partition, long from, long to);

  /** Whether the store can answer now, and if not why (for {@code /health/ready}). */
  Health health();
}
