package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.store.HandleReport;
import dev.mcpaudit.queryapi.store.TenantScope;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;

/**
 * A handle's life from its events: counts from doc values over all of them, the first {@link
 * HandleReport#MAX_EVENTS} events loaded in time order.
 */
final class HandleFacts {
  static final Sort OLDEST_FIRST =
      new Sort(
          new SortField(IndexSchema.OCCURRED_AT, SortField.Type.LONG),
          new SortField(IndexSchema.EVENT_ID, SortField.Type.STRING));

  private final Searchers searchers;
  private final StoredEventLoader loader;

  HandleFacts(Searchers searchers, StoredEventLoader loader) {
    this.searchers = searchers;
    this.loader = loader;
  }

  /**
   * The timeline of {@code handleId} in every tenant the caller sees (a handle's life is read
   * whole, whatever {@code ?tenant} said); empty if the handle never appears there.
   */
  Optional<HandleReport> of(TenantScope scope, String handleId) {
    Query query =
        new BooleanQuery.Builder()
            .add(Queries.term(IndexSchema.HANDLE_ID, handleId), BooleanClause.Occur.FILTER)
            .add(Queries.tenants(scope.everyTenant()), BooleanClause.Occur.FILTER)
            .build();
    return searchers.read(
        searcher -> {
          Facts f =
              searcher.search(
                  query,
                  DocCollector.manager(
                      FactsCollector::new,
                      collectors -> {
                        Facts all = new Facts();
                        collectors.forEach(c -> all.uses.addAll(c.facts.uses));
                        collectors.forEach(c -> all.merge(c.facts));
                        return all;
                      }));
          if (f.events == 0) {
            return Optional.empty();
          }
          return Optional.of(report(searcher, query, handleId, f));
        });
  }

  private HandleReport report(IndexSearcher searcher, Query query, String handleId, Facts f)
      throws IOException {
    long revokedAt = f.revokedAt;
    long expiresAt = Math.min(f.issuedExpiresAt, f.expiredAt);
    long decisions = 0;
    long allow = 0;
    long allowedAfterRevocation = 0;
    long attemptsAfterRevocation = 0;
    long allowedAfterExpiry = 0;
    long attemptsAfterExpiry = 0;
    for (Use u : f.uses) {
      decisions++;
      if (u.allow) {
        allow++;
      }
      if (u.at > revokedAt) {
        attemptsAfterRevocation++;
        if (u.allow) {
          allowedAfterRevocation++;
        }
      }
      if (u.at > expiresAt) {
        attemptsAfterExpiry++;
        if (u.allow) {
          allowedAfterExpiry++;
        }
      }
    }
    StoredFields stored = searcher.storedFields();
    return new HandleReport(
        handleId,
        f.issuedDoc < 0
            ? Optional.empty()
            : Optional.of(StoredEvents.json(stored.document(f.issuedDoc))),
        f.revokedDoc < 0
            ? Optional.empty()
            : Optional.of(StoredEvents.json(stored.document(f.revokedDoc))),
        f.revoked() ? Optional.of(Instant.ofEpochMilli(revokedAt)) : Optional.empty(),
        f.expires() ? Optional.of(Instant.ofEpochMilli(expiresAt)) : Optional.empty(),
        decisions,
        allow,
        decisions - allow,
        allowedAfterRevocation,
        attemptsAfterRevocation,
        allowedAfterExpiry,
        attemptsAfterExpiry,
        f.actors.stream().limit(HandleReport.MAX_LISTED).toList(),
        f.actors.size(),
        f.tools.stream().limit(HandleReport.MAX_LISTED).toList(),
        f.tools.size(),
        loader.load(
            searcher, searcher.search(query, HandleReport.MAX_EVENTS, OLDEST_FIRST).scoreDocs));
  }

  private record Use(long at, boolean allow) {}

  /**
   * What one pass over the handle's doc values finds. Times are Long.MAX_VALUE until seen (no event
   * can carry it: occurred_at lies before the year 10000); the report turns them into Optionals.
   */
  private static final class Facts {
    long events;
    final List<Use> uses = new ArrayList<>();
    long revokedAt = Long.MAX_VALUE;
    long expiredAt = Long.MAX_VALUE;
    long issuedExpiresAt = Long.MAX_VALUE;
    long issuedAt = Long.MAX_VALUE;
    int issuedDoc = -1;
    int revokedDoc = -1;
    final TreeSet<String> actors = new TreeSet<>();
    final TreeSet<String> tools = new TreeSet<>();

    void merge(Facts o) {
      if (o == this) {
        return;
      }
      events += o.events;
      if (o.revokedAt < revokedAt) {
        revokedAt = o.revokedAt;
        revokedDoc = o.revokedDoc;
      }
      expiredAt = Math.min(expiredAt, o.expiredAt);
      if (o.issuedAt < issuedAt) {
        issuedAt = o.issuedAt;
        issuedDoc = o.issuedDoc;
        issuedExpiresAt = o.issuedExpiresAt;
      }
      actors.addAll(o.actors);
      tools.addAll(o.tools);
    }

    boolean revoked() {
      return revokedDoc >= 0;
    }

    /** Whether an expiry is known: announced at issue, or an expiry event. */
    boolean expires() {
      return Math.min(issuedExpiresAt, expiredAt) != Long.MAX_VALUE;
    }
  }

  /**
   * One pass over the handle's doc values. Values are compared as segment ordinals and the actors
   * and tools seen are turned into strings once per segment: a busy handle has thousands of events,
   * and decoding four keywords for each was a visible part of the request.
   */
  private static final class FactsCollector extends DocCollector {
    final Facts facts = new Facts();

    @Override
    protected Visitor visitor(LeafReaderContext context) throws IOException {
      LeafReader r = context.reader();
      int base = context.docBase;
      SortedDocValues kind = IndexReads.sorted(r, IndexSchema.KIND);
      DecisionOrds decision = DecisionOrds.of(r);
      SortedDocValues actor = IndexReads.sorted(r, IndexSchema.ACTOR_ID);
      SortedDocValues toolName = IndexReads.sorted(r, IndexSchema.TOOL_NAME);
      SortedDocValues resource = IndexReads.sorted(r, IndexSchema.TOOL_RESOURCE);
      NumericDocValues at = IndexReads.numeric(r, IndexSchema.OCCURRED_AT);
      NumericDocValues expires = IndexReads.numeric(r, IndexSchema.HANDLE_EXPIRES_AT);
      int decisionKind = IndexReads.ordOf(kind, "decision");
      int issued = IndexReads.ordOf(kind, "handle.issued");
      int rotated = IndexReads.ordOf(kind, "handle.rotated");
      int revoked = IndexReads.ordOf(kind, "handle.revoked");
      int expired = IndexReads.ordOf(kind, "handle.expired");
      OrdMap<Boolean> actors = OrdMap.hashed();
      OrdMap<Boolean> names = OrdMap.hashed();
      OrdMap<Boolean> resources = OrdMap.hashed();
      return new Visitor() {
        @Override
        public void visit(int doc) throws IOException {
          facts.events++;
          long t = IndexReads.number(at, doc, 0);
          if (actor != null && actor.advanceExact(doc)) {
            actors.add(actor.ordValue(), Boolean.TRUE);
          }
          int k = kind != null && kind.advanceExact(doc) ? kind.ordValue() : -1;
          if (k < 0) {
            return;
          }
          if (k == decisionKind) {
            facts.uses.add(new Use(t, decision.allows(doc)));
            if (toolName != null && toolName.advanceExact(doc)) {
              names.add(toolName.ordValue(), Boolean.TRUE);
            } else if (resource != null && resource.advanceExact(doc)) {
              resources.add(resource.ordValue(), Boolean.TRUE);
            }
          } else if (k == issued || k == rotated) {
            if (t < facts.issuedAt) {
              facts.issuedAt = t;
              facts.issuedDoc = base + doc;
              facts.issuedExpiresAt = IndexReads.number(expires, doc, Long.MAX_VALUE);
            }
          } else if (k == revoked) {
            if (t < facts.revokedAt) {
              facts.revokedAt = t;
              facts.revokedDoc = base + doc;
            }
          } else if (k == expired) {
            facts.expiredAt = Math.min(facts.expiredAt, t);
          }
        }

        @Override
        public void finish() throws IOException {
          valuesOf(actors, actor, facts.actors);
          valuesOf(names, toolName, facts.tools);
          valuesOf(resources, resource, facts.tools);
        }
      };
    }
  }

  private static void valuesOf(OrdMap<Boolean> ords, SortedDocValues dv, Set<String> out)
      throws IOException {
    ords.forEach((ord, seen) -> out.add(dv.lookupOrd(ord).utf8ToString()));
  }
}
