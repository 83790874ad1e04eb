package dev.mcpaudit.queryapi.stats;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mcpaudit.indexer.schema.IndexSchema;
import dev.mcpaudit.queryapi.search.DocCollector;
import dev.mcpaudit.queryapi.search.IndexAccess;
import dev.mcpaudit.queryapi.search.IndexReads;
import java.io.IOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.Query;

/**
 * Top values and the allow/deny histogram, both from doc values: per segment, counts go into an
 * array indexed by ordinal (top values) or bucket (histogram); terms are looked up once per
 * segment, not once per document.
 */
public final class Stats {
  /** Fields {@code /stats/top} may group by (DESIGN §7). */
  public static final Set<String> TOP_FIELDS = Set.of(
      IndexSchema.ACTOR_ID, IndexSchema.ACTOR_ON_BEHALF_OF, IndexSchema.TOOL_SERVER, IndexSchema.TOOL_NAME,
      IndexSchema.TOOL_METHOD, IndexSchema.REASON_CODE, IndexSchema.DECISION, IndexSchema.KIND,
      IndexSchema.SOURCE_GATEWAY, IndexSchema.SOURCE_WORKER, IndexSchema.HANDLE_ID, IndexSchema.POLICY_ID,
      IndexSchema.TENANT);

  public record Bucket(String value, long count, long allow, long deny) {}

  public record Top(String field, List<Bucket> buckets) {}

  public record TimeBucket(long start, long allow, long deny) {}

  public record Histogram(@JsonProperty("interval_ms") long intervalMs, List<TimeBucket> buckets) {}

  private final IndexAccess index;

  public Stats(IndexAccess index) {
    this.index = index;
  }

  public Top top(Query query, String field, int size) {
    Map<String, long[]> counts = index.read(searcher -> searcher.search(query, DocCollector.manager(
        () -> new TopCollector(field), collectors -> {
          Map<String, long[]> total = new HashMap<>();
          collectors.forEach(c -> c.counts.forEach((k, v) -> total.merge(k, v, Stats::sum)));
          return total;
        })));
    List<Bucket> buckets = counts.entrySet().stream()
        .map(e -> new Bucket(e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]))
        .sorted(Comparator.comparingLong((Bucket b) -> -b.count()).thenComparing(Bucket::value))
        .limit(size)
        .toList();
    return new Top(field, buckets);
  }

  /** Decisions per bucket of {@code intervalMs}, starting at {@code fromMs}; empty buckets included. */
  public Histogram histogram(Query query, long fromMs, long intervalMs, int buckets) {
    long[][] counts = index.read(searcher -> searcher.search(query, DocCollector.manager(
        () -> new HistogramCollector(fromMs, intervalMs, buckets), collectors -> {
          long[][] total = new long[buckets][2];
          for (HistogramCollector c : collectors) {
            for (int i = 0; i < buckets; i++) {
              total[i][0] += c.counts[i][0];
              total[i][1] += c.counts[i][1];
            }
          }
          return total;
        })));
    List<TimeBucket> out = new java.util.ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      out.add(new TimeBucket(fromMs + i * intervalMs, counts[i][0], counts[i][1]));
    }
    return new Histogram(intervalMs, out);
  }

  private static long[] sum(long[] a, long[] b) {
    return new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]};
  }

  /** count, allow, deny per value of a keyword field. */
  private static final class TopCollector extends DocCollector {
    final String field;
    final Map<String, long[]> counts = new HashMap<>();

    TopCollector(String field) {
      this.field = field;
    }

    @Override
    protected Visitor visitor(LeafReaderContext context) throws IOException {
      SortedDocValues values = IndexReads.sorted(context.reader(), field);
      SortedDocValues decision = IndexReads.sorted(context.reader(), IndexSchema.DECISION);
      int ords = values == null ? 0 : values.getValueCount();
      long[][] perOrd = new long[ords][3];
      return new Visitor() {
        @Override
        public void visit(int doc) throws IOException {
          if (values == null || !values.advanceExact(doc)) {
            return;
          }
          long[] c = perOrd[values.ordValue()];
          c[0]++;
          String d = IndexReads.keyword(decision, doc);
          if ("allow".equals(d)) {
            c[1]++;
          } else if ("deny".equals(d)) {
            c[2]++;
          }
        }

        @Override
        public void finish() throws IOException {
          for (int ord = 0; ord < ords; ord++) {
            if (perOrd[ord][0] > 0) {
              long[] c = perOrd[ord];
              counts.merge(values.lookupOrd(ord).utf8ToString(), c.clone(), Stats::sum);
            }
          }
        }
      };
    }
  }

  private static final class HistogramCollector extends DocCollector {
    final long from;
    final long interval;
    final long[][] counts;

    HistogramCollector(long from, long interval, int buckets) {
      this.from = from;
      this.interval = interval;
      this.counts = new long[buckets][2];
    }

    @Override
    protected Visitor visitor(LeafReaderContext context) throws IOException {
      NumericDocValues at = IndexReads.numeric(context.reader(), IndexSchema.OCCURRED_AT);
      SortedDocValues decision = IndexReads.sorted(context.reader(), IndexSchema.DECISION);
      return doc -> {
        long t = IndexReads.number(at, doc, Long.MIN_VALUE);
        int b = (int) ((t - from) / interval);
        if (t >= from && b < counts.length) {
          counts[b]["allow".equals(IndexReads.keyword(decision, doc)) ? 0 : 1]++;
        }
      };
    }
  }
}
