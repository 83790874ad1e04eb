package dev.mcpaudit.queryapi.stats;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.search.DocCollector;
import dev.mcpaudit.queryapi.search.IndexAccess;
import dev.mcpaudit.queryapi.search.IndexReads;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.Saturating;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.BytesRef;

/**
 * Top values and the allow/deny histogram, both from doc values: per segment, counts go into an
 * array indexed by ordinal (top values) or bucket (histogram); terms are looked up once per
 * segment, not once per document.
 */
public final class Stats {
  /** Fields {@code /stats/top} may group by (README, "The query API"). */
  public static final Set<String> TOP_FIELDS =
      Set.of(
          IndexSchema.ACTOR_ID,
          IndexSchema.ACTOR_ON_BEHALF_OF,
          IndexSchema.TOOL_SERVER,
          IndexSchema.TOOL_NAME,
          IndexSchema.TOOL_METHOD,
          IndexSchema.REASON_CODE,
          IndexSchema.DECISION,
          IndexSchema.KIND,
          IndexSchema.SOURCE_GATEWAY,
          IndexSchema.SOURCE_WORKER,
          IndexSchema.HANDLE_ID,
          IndexSchema.POLICY_ID,
          IndexSchema.TENANT,
          IndexSchema.PROVENANCE);

  public record Bucket(String value, long count, long allow, long deny) {}

  public record Top(String field, List<Bucket> buckets) {}

  public record TimeBucket(long start, long allow, long deny) {}

  /**
   * Buckets of the range, and when the first and last decision counted in them happened (null when
   * none), so a client can choose a range that fits the data.
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Histogram(
      @JsonProperty("interval_ms") long intervalMs,
      List<TimeBucket> buckets,
      @JsonProperty("first_seen") String firstSeen,
      @JsonProperty("last_seen") String lastSeen) {}

  /**
   * Most distinct values one {@code /stats/top} may count. Counting is exact, so it needs a counter
   * per matched value; a query matching more is refused (400) instead of holding an unbounded map,
   * about 15 MB at the cap.
   */
  public static final int MAX_VALUES = 100_000;

  private final IndexAccess index;
  private final int maxValues;

  public Stats(IndexAccess index) {
    this(index, MAX_VALUES);
  }

  Stats(IndexAccess index, int maxValues) {
    this.index = index;
    this.maxValues = maxValues;
  }

  /**
   * The {@code size} most frequent values of {@code field} among the matches, with allow and deny
   * counts. Memory grows with the distinct values the query matched (at most {@link #MAX_VALUES}),
   * never with the size of the field's dictionary across the index.
   */
  public Top top(Query query, String field, int size) {
    Map<String, long[]> counts;
    try {
      counts =
          index.read(
              searcher ->
                  searcher.search(
                      query,
                      DocCollector.manager(
                          () -> new TopCollector(field, maxValues),
                          collectors -> {
                            Map<String, long[]> total = new HashMap<>();
                            for (TopCollector c : collectors) {
                              c.counts.forEach((k, v) -> total.merge(k, v, Stats::sum));
                              if (total.size() > maxValues) {
                                throw new OrdCounts.TooMany();
                              }
                            }
                            return total;
                          })));
    } catch (OrdCounts.TooMany e) {
      throw new InvalidQuery(
          "field: more than "
              + maxValues
              + " distinct values of "
              + field
              + " match; narrow q or the time range");
    }
    List<Bucket> buckets =
        counts.entrySet().stream()
            .map(e -> new Bucket(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]))
            .sorted(Comparator.comparingLong((Bucket b) -> -b.count()).thenComparing(Bucket::value))
            .limit(size)
            .toList();
    return new Top(field, buckets);
  }

  /**
   * Decisions per bucket of {@code intervalMs}, starting at {@code fromMs}; empty buckets included.
   */
  public Histogram histogram(Query query, long fromMs, long intervalMs, int buckets) {
    if (intervalMs < 1 || buckets < 1) {
      throw new IllegalArgumentException("interval and buckets are positive");
    }
    HistogramCollector all =
        index.read(
            searcher ->
                searcher.search(
                    query,
                    DocCollector.manager(
                        () -> new HistogramCollector(fromMs, intervalMs, buckets),
                        collectors -> {
                          HistogramCollector total =
                              new HistogramCollector(fromMs, intervalMs, buckets);
                          for (HistogramCollector c : collectors) {
                            for (int i = 0; i < buckets; i++) {
                              total.counts[i][0] += c.counts[i][0];
                              total.counts[i][1] += c.counts[i][1];
                            }
                            total.first = Math.min(total.first, c.first);
                            total.last = Math.max(total.last, c.last);
                          }
                          return total;
                        })));
    List<TimeBucket> out = new java.util.ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      out.add(
          new TimeBucket(
              Saturating.add(fromMs, Saturating.multiply(i, intervalMs)),
              all.counts[i][0],
              all.counts[i][1]));
    }
    boolean any = all.first <= all.last;
    return new Histogram(
        intervalMs,
        out,
        any ? Rfc3339.format(Instant.ofEpochMilli(all.first)) : null,
        any ? Rfc3339.format(Instant.ofEpochMilli(all.last)) : null);
  }

  /** 1 for allow, 2 for deny, 0 otherwise, by ordinal: no term is decoded per document. */
  private static int decision(SortedDocValues decision, int allowOrd, int denyOrd, int doc)
      throws IOException {
    if (decision == null || !decision.advanceExact(doc)) {
      return 0;
    }
    int ord = decision.ordValue();
    return ord == allowOrd ? 1 : ord == denyOrd ? 2 : 0;
  }

  private static int ord(SortedDocValues dv, String value) throws IOException {
    if (dv == null) {
      return -2;
    }
    int ord = dv.lookupTerm(new BytesRef(value));
    return ord >= 0 ? ord : -2;
  }

  private static long[] sum(long[] a, long[] b) {
    return new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
  }

  /** count, allow, deny per value of a keyword field, over the matched ordinals only. */
  private static final class TopCollector extends DocCollector {
    final String field;
    final int maxValues;
    final Map<String, long[]> counts = new HashMap<>();

    TopCollector(String field, int maxValues) {
      this.field = field;
      this.maxValues = maxValues;
    }

    @Override
    protected Visitor visitor(LeafReaderContext context) throws IOException {
      SortedDocValues values = IndexReads.sorted(context.reader(), field);
      SortedDocValues decision = IndexReads.sorted(context.reader(), IndexSchema.DECISION);
      int allowOrd = ord(decision, "allow");
      int denyOrd = ord(decision, "deny");
      OrdCounts perOrd = new OrdCounts(values == null ? 0 : values.getValueCount(), maxValues);
      return new Visitor() {
        @Override
        public void visit(int doc) throws IOException {
          if (values != null && values.advanceExact(doc)) {
            perOrd.add(values.ordValue(), Stats.decision(decision, allowOrd, denyOrd, doc));
          }
        }

        @Override
        public void finish() throws IOException {
          perOrd.forEach(
              (ord, count, allow, deny) ->
                  counts.merge(
                      values.lookupOrd(ord).utf8ToString(),
                      new long[] {count, allow, deny},
                      Stats::sum));
          if (counts.size() > maxValues) {
            throw new OrdCounts.TooMany();
          }
        }
      };
    }
  }

  private static final class HistogramCollector extends DocCollector {
    final long from;
    final long interval;

    /** First millisecond past the last bucket. */
    final long end;

    final long[][] counts;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;

    HistogramCollector(long from, long interval, int buckets) {
      this.from = from;
      this.interval = interval;
      this.end = Saturating.add(from, Saturating.multiply(interval, buckets));
      this.counts = new long[buckets][2];
    }

    @Override
    protected Visitor visitor(LeafReaderContext context) throws IOException {
      NumericDocValues at = IndexReads.numeric(context.reader(), IndexSchema.OCCURRED_AT);
      SortedDocValues decision = IndexReads.sorted(context.reader(), IndexSchema.DECISION);
      int allowOrd = ord(decision, "allow");
      int denyOrd = ord(decision, "deny");
      return doc -> {
        if (at == null || !at.advanceExact(doc)) {
          return;
        }
        long t = at.longValue();
        // Bounds first: t - from cannot overflow once t lies in [from, end).
        if (t >= from && t < end) {
          int b = (int) Math.min(counts.length - 1, (t - from) / interval);
          counts[b][Stats.decision(decision, allowOrd, denyOrd, doc) == 1 ? 0 : 1]++;
          first = Math.min(first, t);
          last = Math.max(last, t);
        }
      };
    }
  }
}
