package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.queryapi.store.Histogram;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.Saturating;
import dev.mcpaudit.queryapi.store.TopValues;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.Query;

/**
 * Top values and the allow/deny histogram, both from doc values: per segment, counts go into an
 * ordinal map (top values) or an array of buckets (histogram); terms are looked up once per
 * segment, not once per document.
 */
final class StatsQueries {
  private final Searchers searchers;
  private final int maxValues;

  /**
   * @param maxValues most distinct values one top-values question may count
   */
  StatsQueries(Searchers searchers, int maxValues) {
    this.searchers = searchers;
    this.maxValues = maxValues;
  }

  /** More distinct values matched than the cap allows. */
  private static final class TooMany extends RuntimeException {
    TooMany() {
      super(null, null, false, false);
    }
  }

  /**
   * The {@code size} most frequent values of {@code field} among the matches, with allow and deny
   * counts. Memory grows with the distinct values the query matched (at most {@code maxValues}),
   * never with the size of the field's dictionary across the index.
   */
  TopValues top(Query query, String field, int size) {
    Map<String, long[]> counts;
    try {
      counts =
          searchers.read(
              searcher ->
                  searcher.search(
                      query,
                      DocCollector.manager(
                          () -> new TopCollector(field, maxValues),
                          collectors -> {
                            Map<String, long[]> total = new HashMap<>();
                            for (TopCollector c : collectors) {
                              c.counts.forEach((k, v) -> total.merge(k, v, StatsQueries::sum));
                              if (total.size() > maxValues) {
                                throw new TooMany();
                              }
                            }
                            return total;
                          })));
    } catch (TooMany e) {
      throw new InvalidQuery(
          "field: more than "
              + maxValues
              + " distinct values of "
              + field
              + " match; narrow q or the time range");
    }
    List<TopValues.Bucket> buckets =
        counts.entrySet().stream()
            .map(
                e ->
                    new TopValues.Bucket(
                        e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]))
            .sorted(
                Comparator.comparingLong((TopValues.Bucket b) -> -b.count())
                    .thenComparing(TopValues.Bucket::value))
            .limit(size)
            .toList();
    return new TopValues(field, buckets);
  }

  /**
   * Decisions per bucket of {@code intervalMs}, starting at {@code fromMs}; empty buckets included.
   */
  Histogram histogram(Query query, long fromMs, long intervalMs, int buckets) {
    if (intervalMs < 1 || buckets < 1) {
      throw new IllegalArgumentException("interval and buckets are positive");
    }
    HistogramCollector all =
        searchers.read(
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
    List<Histogram.Bucket> out = new ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      out.add(
          new Histogram.Bucket(
              Saturating.add(fromMs, Saturating.multiply(i, intervalMs)),
              all.counts[i][0],
              all.counts[i][1]));
    }
    boolean any = all.first <= all.last;
    return new Histogram(
        intervalMs,
        out,
        any ? Optional.of(Instant.ofEpochMilli(all.first)) : Optional.empty(),
        any ? Optional.of(Instant.ofEpochMilli(all.last)) : Optional.empty());
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
      DecisionOrds decision = DecisionOrds.of(context.reader());
      OrdMap<long[]> perOrd = OrdMap.forField(values == null ? 0 : values.getValueCount());
      return new Visitor() {
        @Override
        public void visit(int doc) throws IOException {
          if (values != null && values.advanceExact(doc)) {
            int ord = values.ordValue();
            long[] c = perOrd.get(ord);
            if (c == null) {
              if (perOrd.size() >= maxValues) {
                throw new TooMany();
              }
              c = new long[3];
              perOrd.put(ord, c);
            }
            c[0]++;
            int d = decision.of(doc);
            if (d != DecisionOrds.NEITHER) {
              c[d]++;
            }
          }
        }

        @Override
        public void finish() throws IOException {
          perOrd.forEach(
              (ord, c) -> counts.merge(values.lookupOrd(ord).utf8ToString(), c, StatsQueries::sum));
          if (counts.size() > maxValues) {
            throw new TooMany();
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
      DecisionOrds decision = DecisionOrds.of(context.reader());
      return doc -> {
        if (at == null || !at.advanceExact(doc)) {
          return;
        }
        long t = at.longValue();
        // Bounds first: t - from cannot overflow once t lies in [from, end).
        if (t >= from && t < end) {
          int b = (int) Math.min(counts.length - 1, (t - from) / interval);
          counts[b][decision.allows(doc) ? 0 : 1]++;
          first = Math.min(first, t);
          last = Math.max(last, t);
        }
      };
    }
  }
}
