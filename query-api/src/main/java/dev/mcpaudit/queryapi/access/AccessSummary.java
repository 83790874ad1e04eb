package dev.mcpaudit.queryapi.access;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mcpaudit.indexer.schema.IndexSchema;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.search.DocCollector;
import dev.mcpaudit.queryapi.search.IndexAccess;
import dev.mcpaudit.queryapi.search.IndexReads;
import dev.mcpaudit.queryapi.search.TimeRange;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * "What did this agent (or this user's agents) access?": every decision of an actor (or of the
 * actors acting for a user) in a window, grouped by tool, counted from doc values. No stored
 * document is loaded, so the cost is the number of matching decisions times a few
 * doc-value reads.
 */
public final class AccessSummary {
  /** Per tool: at most this many distinct resources and handles are listed. */
  static final int LIST_CAP = 100;
  /**
   * At most this many distinct tools and handles are kept per summary, so an actor with millions
   * of one-shot handles costs bounded memory. Decisions past the cap still count in the totals and
   * are reported as omitted, so the answer says it is incomplete instead of silently being so.
   */
  static final int DISTINCT_CAP = 10_000;

  private final IndexAccess index;
  private final int distinctCap;

  public AccessSummary(IndexAccess index) {
    this(index, DISTINCT_CAP);
  }

  AccessSummary(IndexAccess index, int distinctCap) {
    this.index = index;
    this.distinctCap = distinctCap;
  }

  /** Who the summary is about: an actor id, or a user the actors act for. */
  public enum Subject {
    ACTOR(IndexSchema.ACTOR_ID, "actor"),
    ON_BEHALF_OF(IndexSchema.ACTOR_ON_BEHALF_OF, "on_behalf_of");

    final String field;
    final String key;

    Subject(String field, String key) {
      this.field = field;
      this.key = key;
    }
  }

  public record Totals(long decisions, long allow, long deny) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record ToolUse(String server, String method, String name, long allow, long deny,
      @JsonProperty("first_seen") String firstSeen, @JsonProperty("last_seen") String lastSeen,
      List<String> resources, List<String> handles) {}

  /**
   * Decisions not itemized because more than {@code cap} distinct tools or handles matched; they
   * are in {@code totals} all the same.
   */
  public record Omitted(int cap, @JsonProperty("tool_decisions") long toolDecisions,
      @JsonProperty("handle_decisions") long handleDecisions) {}

  public record HandleUse(String id, long decisions,
      @JsonProperty("first_seen") String firstSeen, @JsonProperty("last_seen") String lastSeen) {}

  /** The response body, field order as in the README's "The query API". */
  public Map<String, Object> summarize(Caller caller, Subject subject, String value, TimeRange range, String tenant) {
    Query query = new BooleanQuery.Builder()
        .add(new TermQuery(new Term(subject.field, value)), BooleanClause.Occur.FILTER)
        .add(IndexAccess.decisionsOnly(), BooleanClause.Occur.FILTER)
        .add(IndexAccess.window(range), BooleanClause.Occur.FILTER)
        .add(IndexAccess.tenants(caller, tenant), BooleanClause.Occur.FILTER)
        .build();
    Agg agg = index.read(searcher -> searcher.search(query, DocCollector.manager(() -> new AggCollector(distinctCap), collectors -> {
      Agg total = new Agg(distinctCap);
      collectors.forEach(c -> total.merge(c.agg));
      return total;
    })));

    Map<String, Object> out = new LinkedHashMap<>();
    out.put(subject.key, value);
    out.put("from", Rfc3339.format(range.from()));
    out.put("to", Rfc3339.format(range.to()));
    out.put("totals", new Totals(agg.allow + agg.deny, agg.allow, agg.deny));
    List<ToolUse> tools = new ArrayList<>();
    agg.tools.values().stream()
        .sorted(Comparator.comparingLong((ToolAgg t) -> -(t.allow + t.deny))
            .thenComparing(t -> t.server).thenComparing(t -> t.method).thenComparing(t -> t.name))
        .forEach(t -> tools.add(new ToolUse(t.server, t.method, t.name, t.allow, t.deny, time(t.first), time(t.last),
            List.copyOf(t.resources), List.copyOf(t.handles))));
    out.put("tools", tools);
    out.put("deny_reasons", new TreeMap<>(agg.denyReasons));
    out.put("handles", agg.handles.values().stream()
        .sorted(Comparator.comparingLong((HandleAgg h) -> -h.decisions).thenComparing(h -> h.id))
        .map(h -> new HandleUse(h.id, h.decisions, time(h.first), time(h.last))).toList());
    if (agg.toolsOmitted > 0 || agg.handlesOmitted > 0) {
      out.put("omitted", new Omitted(distinctCap, agg.toolsOmitted, agg.handlesOmitted));
    }
    return out;
  }

  private static String time(long millis) {
    return Rfc3339.format(Instant.ofEpochMilli(millis));
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
      o.tools.forEach((k, t) -> {
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
      o.handles.forEach((k, h) -> {
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
      SortedDocValues decision = IndexReads.sorted(r, IndexSchema.DECISION);
      SortedDocValues reason = IndexReads.sorted(r, IndexSchema.REASON_CODE);
      SortedDocValues handle = IndexReads.sorted(r, IndexSchema.HANDLE_ID);
      NumericDocValues at = IndexReads.numeric(r, IndexSchema.OCCURRED_AT);
      return doc -> {
          String s = IndexReads.keyword(server, doc);
          String m = IndexReads.keyword(method, doc);
          String n = IndexReads.keyword(name, doc);
          String res = IndexReads.keyword(resource, doc);
          boolean allow = "allow".equals(IndexReads.keyword(decision, doc));
          String h = IndexReads.keyword(handle, doc);
          long t = IndexReads.number(at, doc, 0);
          String display = n != null ? n : res;
          if (allow) {
            agg.allow++;
          } else {
            agg.deny++;
            String code = IndexReads.keyword(reason, doc);
            if (code != null) {
              agg.denyReasons.merge(code, 1L, Long::sum);
            }
          }
          ToolAgg tool = agg.tool(s + "\u0000" + m + "\u0000" + display, s, m, display);
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
            if (res != null && tool.resources.size() < LIST_CAP) {
              tool.resources.add(res);
            }
            if (h != null && tool.handles.size() < LIST_CAP) {
              tool.handles.add(h);
            }
          }
          if (h != null) {
            HandleAgg ha = agg.handle(h);
            if (ha == null) {
              agg.handlesOmitted++;
            } else {
              ha.decisions++;
              ha.first = Math.min(ha.first, t);
              ha.last = Math.max(ha.last, t);
            }
          }
      };
    }
  }
}
