package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.store.AccessReport;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;

/**
 * "What did this agent (or this user's agents) access?": every decision of an actor (or of the
 * actors acting for a user) in a window, grouped by tool, counted from doc values. No stored
 * document is loaded, so the cost is the number of matching decisions times a few doc-value reads.
 */
final class AccessAggregation {
  /** Per tool: at most this many distinct resources and handles are kept. */
  static final int LIST_CAP = AccessReport.MAX_LISTED_PER_TOOL;

  private final Searchers searchers;
  private final int distinctCap;

  /**
   * @param distinctCap most distinct tools and handles itemized ({@link AccessReport#DISTINCT_CAP})
   */
  AccessAggregation(Searchers searchers, int distinctCap) {
    this.searchers = searchers;
    this.distinctCap = distinctCap;
  }

  AccessReport summarize(
      TenantScope scope, AccessReport.Subject subject, String value, TimeRange range) {
    String field = subject.field();
    Query query =
        new BooleanQuery.Builder()
            .add(Queries.term(field, value), BooleanClause.Occur.FILTER)
            .add(Queries.decisionsOnly(), BooleanClause.Occur.FILTER)
            .add(Queries.window(range), BooleanClause.Occur.FILTER)
            .add(Queries.tenants(scope), BooleanClause.Occur.FILTER)
            .build();
    Agg agg =
        searchers.read(
            searcher ->
                searcher.search(
                    query,
                    DocCollector.manager(
                        () -> new AggCollector(distinctCap),
                        collectors -> {
                          Agg total = new Agg(distinctCap);
                          collectors.forEach(c -> total.merge(c.agg));
                          return total;
                        })));
    List<AccessReport.ToolUse> tools =
        agg.tools.values().stream()
            .sorted(
                Comparator.comparingLong((ToolAgg t) -> -(t.allow + t.deny))
                    .thenComparing(t -> t.server)
                    .thenComparing(t -> t.method)
                    .thenComparing(t -> t.name))
            .map(
                t ->
                    new AccessReport.ToolUse(
                        t.server,
                        t.method,
                        t.name,
                        t.allow,
                        t.deny,
                        time(t.first),
                        time(t.last),
                        List.copyOf(t.resources),
                        List.copyOf(t.handles),
                        t.resources.size(),
                        t.handles.size()))
            .toList();
    List<AccessReport.HandleUse> handles =
        agg.handles.values().stream()
            .sorted(
                Comparator.comparingLong((HandleAgg h) -> -h.decisions).thenComparing(h -> h.id))
            .map(h -> new AccessReport.HandleUse(h.id, h.decisions, time(h.first), time(h.last)))
            .toList();
    boolean omitted = agg.toolsOmitted > 0 || agg.handlesOmitted > 0;
    return new AccessReport(
        subject == AccessReport.Subject.ACTOR ? Optional.of(value) : Optional.empty(),
        subject == AccessReport.Subject.ON_BEHALF_OF ? Optional.of(value) : Optional.empty(),
        range.from(),
        range.to(),
        new AccessReport.Totals(agg.allow + agg.deny, agg.allow, agg.deny),
        tools,
        new TreeMap<>(agg.denyReasons),
        handles,
        omitted
            ? Optional.of(
                new AccessReport.Omitted(distinctCap, agg.toolsOmitted, agg.handlesOmitted))
            : Optional.empty());
  }

  private static Instant time(long millis) {
    return Instant.ofEpochMilli(millis);
  }

  private static final class ToolAgg {
    final String server;
    final String method;
    final String name;
    long allow;
    long deny;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    final TreeSet<String> resources = new TreeSet<>();
    final TreeSet<String> handles = new TreeSet<>();

    ToolAgg(String server, String method, String name) {
      this.server = server;
      this.method = method;
      this.name = name;
    }

    void merge(ToolAgg o) {
      allow += o.allow;
      deny += o.deny;
      first = Math.min(first, o.first);
      last = Math.max(last, o.last);
      addCapped(resources, o.resources);
      addCapped(handles, o.handles);
    }
  }

  private static final class HandleAgg {
    final String id;
    long decisions;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;

    HandleAgg(String id) {
      this.id = id;
    }
  }

  private static void addCapped(TreeSet<String> into, Collection<String> values) {
    for (String v : values) {
      if (into.size() >= LIST_CAP) {
        return;
      }
      into.add(v);
    }
  }

  private static final class Agg {
    long allow;
    long deny;
    final Map<String, ToolAgg> tools = new HashMap<>();
    final Map<String, Long> denyReasons = new HashMap<>();
    final Map<String, HandleAgg> handles = new HashMap<>();
    final int cap;
    long toolsOmitted;
    long handlesOmitted;

    Agg(int cap) {
      this.cap = cap;
    }

    /** The tool's aggregate, or null when the cap is reached and {@code key} is not kept yet. */
    ToolAgg tool(String key, String server, String method, String name) {
      ToolAgg t = tools.get(key);
      if (t == null && tools.size() < cap) {
        t = new ToolAgg(server, method, name);
        tools.put(key, t);
      }
      return t;
    }

    HandleAgg handle(String id) {
      HandleAgg h = handles.get(id);
      if (h == null && handles.size() < cap) {
        h = new HandleAgg(id);
        handles.put(id, h);
      }
      return h;
    }

    void merge(Agg o) {
      allow += o.allow;
      deny += o.deny;
      toolsOmitted += o.toolsOmitted;
      handlesOmitted += o.handlesOmitted;
      o.tools.forEach(
          (k, t) -> {
            ToolAgg mine = tools.get(k);
            if (mine != null) {
              mine.merge(t);
            } else if (tools.size() < cap) {
              tools.put(k, t);
            } else {
              toolsOmitted += t.allow + t.deny;
            }
          });
      o.denyReasons.forEach((k, n) -> denyReasons.merge(k, n, Long::sum));
      o.handles.forEach(
          (k, h) -> {
            HandleAgg mine = handles.get(k);
            if (mine != null) {
              mine.decisions += h.decisions;
              mine.first = Math.min(mine.first, h.first);
              mine.last = Math.max(mine.last, h.last);
            } else if (handles.size() < cap) {
              handles.put(k, h);
            } else {
              handlesOmitted += h.decisions;
            }
          });
    }
  }

  private static final class AggCollector extends DocCollector {
    final Agg agg;

    AggCollector(int cap) {
      agg = new Agg(cap);
    }

    @Override
    protected Visitor visitor(LeafReaderContext context) throws IOException {
      LeafReader r = context.reader();
      SortedDocValues server = IndexReads.sorted(r, IndexSchema.TOOL_SERVER);
      SortedDocValues method = IndexReads.sorted(r, IndexSchema.TOOL_METHOD);
      SortedDocValues name = IndexReads.sorted(r, IndexSchema.TOOL_NAME);
      SortedDocValues resource = IndexReads.sorted(r, IndexSchema.TOOL_RESOURCE);
      DecisionOrds decision = DecisionOrds.of(r);
      SortedDocValues reason = IndexReads.sorted(r, IndexSchema.REASON_CODE);
      SortedDocValues handle = IndexReads.sorted(r, IndexSchema.HANDLE_ID);
      NumericDocValues at = IndexReads.numeric(r, IndexSchema.OCCURRED_AT);
      return new SegmentVisitor(agg, server, method, name, resource, decision, reason, handle, at);
    }
  }

  /**
   * One segment's documents, aggregated by ordinal: a string is read from the dictionary once per
   * distinct tool, handle, resource or reason code of the segment, not once per decision. What is
   * kept and what is omitted at the caps is decided exactly as it would be string by string, in the
   * order the documents are visited.
   */
  private static final class SegmentVisitor implements DocCollector.Visitor {
    private static final Object SEEN = new Object();
    private static final HandleAgg NOT_KEPT = new HandleAgg(null);

    private final Agg agg;
    private final SortedDocValues server;
    private final SortedDocValues method;
    private final SortedDocValues name;
    private final SortedDocValues resource;
    private final DecisionOrds decision;
    private final SortedDocValues reason;
    private final SortedDocValues handle;
    private final NumericDocValues at;

    /** Resource ordinals are offset past the names so one int names the displayed tool. */
    private final int resourceOffset;

    private final OrdMap<SegmentTool> tools = OrdMap.hashed();
    private final OrdMap<HandleAgg> handles = OrdMap.hashed();
    private final OrdMap<long[]> reasons = OrdMap.hashed();

    SegmentVisitor(
        Agg agg,
        SortedDocValues server,
        SortedDocValues method,
        SortedDocValues name,
        SortedDocValues resource,
        DecisionOrds decision,
        SortedDocValues reason,
        SortedDocValues handle,
        NumericDocValues at)
        throws IOException {
      this.agg = agg;
      this.server = server;
      this.method = method;
      this.name = name;
      this.resource = resource;
      this.decision = decision;
      this.reason = reason;
      this.handle = handle;
      this.at = at;
      this.resourceOffset = name == null ? 0 : name.getValueCount();
    }

    /**
     * A tool as seen in this segment: its aggregate (null past the cap) and the ordinals already
     * listed.
     */
    private static final class SegmentTool {
      final ToolAgg agg;
      final OrdMap<Object> resources = OrdMap.hashed();
      final OrdMap<Object> handles = OrdMap.hashed();

      SegmentTool(ToolAgg agg) {
        this.agg = agg;
      }
    }

    @Override
    public void visit(int doc) throws IOException {
      int s = IndexReads.ord(server, doc);
      int m = IndexReads.ord(method, doc);
      int n = IndexReads.ord(name, doc);
      int res = IndexReads.ord(resource, doc);
      int h = IndexReads.ord(handle, doc);
      boolean allow = decision.allows(doc);
      long t = IndexReads.number(at, doc, 0);
      if (allow) {
        agg.allow++;
      } else {
        agg.deny++;
        int code = IndexReads.ord(reason, doc);
        if (code >= 0) {
          long[] count = reasons.get(code);
          if (count == null) {
            count = new long[1];
            reasons.put(code, count);
          }
          count[0]++;
        }
      }
      int display = n >= 0 ? n : res >= 0 ? resourceOffset + res : -1;
      SegmentTool st = tools.get(s, m, display);
      if (st == null) {
        String sv = IndexReads.value(server, s);
        String mv = IndexReads.value(method, m);
        String dv = n >= 0 ? IndexReads.value(name, n) : IndexReads.value(resource, res);
        st = new SegmentTool(agg.tool(sv + "\u0000" + mv + "\u0000" + dv, sv, mv, dv));
        tools.put(s, m, display, st);
      }
      ToolAgg tool = st.agg;
      if (tool == null) {
        agg.toolsOmitted++;
      } else {
        if (allow) {
          tool.allow++;
        } else {
          tool.deny++;
        }
        tool.first = Math.min(tool.first, t);
        tool.last = Math.max(tool.last, t);
        if (res >= 0 && tool.resources.size() < LIST_CAP && st.resources.add(res, SEEN)) {
          tool.resources.add(IndexReads.value(resource, res));
        }
        if (h >= 0 && tool.handles.size() < LIST_CAP && st.handles.add(h, SEEN)) {
          tool.handles.add(IndexReads.value(handle, h));
        }
      }
      if (h >= 0) {
        HandleAgg ha = handles.get(h);
        if (ha == null) {
          ha = agg.handle(IndexReads.value(handle, h));
          handles.put(h, ha == null ? NOT_KEPT : ha);
        }
        if (ha == NOT_KEPT || ha == null) {
          agg.handlesOmitted++;
        } else {
          ha.decisions++;
          ha.first = Math.min(ha.first, t);
          ha.last = Math.max(ha.last, t);
        }
      }
    }

    @Override
    public void finish() throws IOException {
      reasons.forEach(
          (code, count) ->
              agg.denyReasons.merge(IndexReads.value(reason, code), count[0], Long::sum));
    }
  }
}
