package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.queryapi.store.lucene.EventQueryParser;
import dev.mcpaudit.rules.query.TermPolicy;

/**
 * The cluster queries of the store's questions: the caller's {@code q}, parsed by the same parser
 * under the same term policy as the Lucene store, AND the window AND the tenants of the request's
 * scope, so a query that names another tenant simply finds nothing of it.
 */
final class ClusterQueries {
  private final ClusterReads reads;
  private final TermPolicy terms;

  ClusterQueries(ClusterReads reads, TermPolicy terms) {
    this.reads = reads;
    this.terms = terms;
  }

  /** {@code q} within the window and the scope's tenants. */
  ObjectNode events(TenantScope scope, EventQuery query) {
    ObjectNode window = window(query.range());
    ObjectNode tenants = tenants(scope);
    if (query.matchesAll()) {
      return QueryDsl.filter(window, tenants);
    }
    ObjectNode q = reads.compute(() -> QueryDsl.of(EventQueryParser.parse(query.q(), terms)));
    return QueryDsl.filter(q, window, tenants);
  }

  /** The filter of a request's tenants: the one place a tenant scope becomes a cluster query. */
  static ObjectNode tenants(TenantScope scope) {
    if (scope.tenant().isPresent()) {
      return QueryDsl.term(IndexSchema.TENANT, scope.tenant().get());
    }
    if (scope.unbounded()) {
      return scope.includesSystem()
          ? QueryDsl.matchAll()
          : QueryDsl.not(QueryDsl.term(IndexSchema.TENANT, Caller.SYSTEM_TENANT));
    }
    return QueryDsl.terms(IndexSchema.TENANT, scope.tenants());
  }

  /** occurred_at in [from, to). */
  static ObjectNode window(TimeRange range) {
    return QueryDsl.range(
        IndexSchema.OCCURRED_AT, range.from().toEpochMilli(), range.to().toEpochMilli() - 1);
  }

  static ObjectNode decisionsOnly() {
    return QueryDsl.term(IndexSchema.KIND, "decision");
  }

  static ObjectNode decisionsOf(ObjectNode base) {
    return QueryDsl.filter(base, decisionsOnly());
  }
}
