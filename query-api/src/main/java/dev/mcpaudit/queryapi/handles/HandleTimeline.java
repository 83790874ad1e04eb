package dev.mcpaudit.queryapi.handles;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredEvents;
import dev.mcpaudit.queryapi.search.DocCollector;
import dev.mcpaudit.queryapi.search.IndexAccess;
import dev.mcpaudit.queryapi.search.IndexReads;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;

/**
 * "What happened to this handle?": issued, every use, revoked or expired, and the uses after that,
 * judged by occurred_at (not arrival). Counts come from doc values over all of the handle's events;
 * the first {@link #MAX_EVENTS} events are returned in time order.
 */
public final class HandleTimeline {
  public static final int MAX_EVENTS = 1000;

  /**
   * Actors and tools listed, at most; {@code actor_count} and {@code tool_count} count them all.
   */
  public static final int MAX_LISTED = 1000;

  static final Sort OLDEST_FIRST =
      new Sort(
          new SortField(IndexSchema.OCCURRED_AT, SortField.Type.LONG),
          new SortField(IndexSchema.EVENT_ID, SortField.Type.STRING));

  private final IndexAccess index;

  public HandleTimeline(IndexAccess index) {
    this.index = index;
  }

  /**
   * The timeline of {@code handleId} in every tenant the caller sees (a handle's life is read
   * whole, whatever {@code ?tenant} said); empty if the handle never appears there.
   */
  public Optional<Map<String, Object>> of(TenantScope scope, String handleId) {
    Query query =
        new BooleanQuery.Builder()
            .add(
                new TermQuery(new Term(IndexSchema.HANDLE_ID, handleId)),
                BooleanClause.Occur.FILTER)
            .add(IndexAccess.tenants(scope.everyTenant()), BooleanClause.Occur.FILTER)
            .build();
    return index.read(
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
          return Optional.of(render(searcher, query, handleId, f));
        });
  }

  private Map<String, Object> render(IndexSearcher searcher, Query query, String handleId, Facts f)
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
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", handleId);
    out.put("issued", f.issuedDoc < 0 ? null : StoredEvents.json(stored.document(f.issuedDoc)));
    out.put("revoked", f.revokedDoc < 0 ? null : StoredEvents.json(stored.document(f.revokedDoc)));
    out.put("revoked_at", revokedAt == Long.MAX_VALUE ? null : time(revokedAt));
    out.put("expires_at", expiresAt == Long.MAX_VALUE ? null : time(expiresAt));
    out.put("decisions", decisions);
    out.put("allow", allow);
    out.put("deny", decisions - allow);
    out.put("allowed_after_revocation", allowedAfterRevocation);
    out.put("attempts_after_revocation", attemptsAfterRevocation);
    out.put("allowed_after_expiry", allowedAfterExpiry);
    out.put("attempts_after_expiry", attemptsAfterExpiry);
    // A hostile writer can give one handle any number of actors and tools: the answer lists the
    // first MAX_LISTED of each (sorted) and counts them all, so its size does not grow with the
    // data.
    out.put("actors", f.actors.stream().limit(MAX_LISTED).toList());
    out.put("actor_count", f.actors.size());
    out.put("tools", f.tools.stream().limit(MAX_LISTED).toList());
    out.put("tool_count", f.tools.size());
    out.put(
        "events",
        IndexAccess.sources(searcher, searcher.search(query, MAX_EVENTS, OLDEST_FIRST).scoreDocs));
    return out;
  }

  private static String time(long millis) {
    return Rfc3339.format(Instant.ofEpochMilli(millis));
  }

  private record Use(long at, boolean allow) {}

  /** What one pass over the handle's doc values finds. */
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
      SortedDocValues decision = IndexReads.sorted(r, IndexSchema.DECISION);
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
      int allowOrd = IndexReads.ordOf(decision, "allow");
      OrdSet actors = new OrdSet();
      OrdSet names = new OrdSet();
      OrdSet resources = new OrdSet();
      return new Visitor() {
        @Override
        public void visit(int doc) throws IOException {
          facts.events++;
          long t = IndexReads.number(at, doc, 0);
          if (actor != null && actor.advanceExact(doc)) {
            actors.add(actor.ordValue());
          }
          int k = kind != null && kind.advanceExact(doc) ? kind.ordValue() : -1;
          if (k < 0) {
            return;
          }
          if (k == decisionKind) {
            boolean allow =
                allowOrd >= 0 && decision.advanceExact(doc) && decision.ordValue() == allowOrd;
            facts.uses.add(new Use(t, allow));
            if (toolName != null && toolName.advanceExact(doc)) {
              names.add(toolName.ordValue());
            } else if (resource != null && resource.advanceExact(doc)) {
              resources.add(resource.ordValue());
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
          actors.addValuesTo(actor, facts.actors);
          names.addValuesTo(toolName, facts.tools);
          resources.addValuesTo(resource, facts.tools);
        }
      };
    }
  }

  /** Distinct ordinals of one segment; a handle's events share a few values, so runs repeat. */
  private static final class OrdSet {
    private int[] ords = new int[16];
    private int size;
    private int last = -1;

    void add(int ord) {
      if (ord == last) {
        return;
      }
      last = ord;
      if (size == ords.length) {
        ords = Arrays.copyOf(ords, size * 2);
      }
      ords[size++] = ord;
    }

    void addValuesTo(SortedDocValues dv, Set<String> out) throws IOException {
      if (size == 0) {
        return;
      }
      int[] sorted = Arrays.copyOf(ords, size);
      Arrays.sort(sorted);
      for (int i = 0; i < sorted.length; i++) {
        if (i == 0 || sorted[i] != sorted[i - 1]) {
          out.add(dv.lookupOrd(sorted[i]).utf8ToString());
        }
      }
    }
  }
}
