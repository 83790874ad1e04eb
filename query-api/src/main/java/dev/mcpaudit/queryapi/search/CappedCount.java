package dev.mcpaudit.queryapi.search;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.CollectionTerminatedException;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;

/**
 * Counts matches, but stops once it is past {@code cap}: a total of "at least 10,000" is as
 * useful to a person as the exact figure, and a query matching millions must not pay for it.
 */
final class CappedCount implements CollectorManager<CappedCount.Counter, CappedCount.Total> {
  record Total(long count, boolean exact) {}

  private final long cap;
  private final AtomicLong seen = new AtomicLong();

  CappedCount(long cap) {
    this.cap = cap;
  }

  @Override
  public Counter newCollector() {
    return new Counter();
  }

  @Override
  public Total reduce(Collection<Counter> collectors) {
    long n = seen.get();
    return n > cap ? new Total(cap, false) : new Total(n, true);
  }

  final class Counter implements Collector {
    @Override
    public LeafCollector getLeafCollector(LeafReaderContext context) {
      if (seen.get() > cap) {
        throw new CollectionTerminatedException(); // enough: skip this segment
      }
      return new LeafCollector() {
        @Override
        public void setScorer(Scorable scorer) {}

        @Override
        public void collect(int doc) {
          if (seen.incrementAndGet() > cap) {
            throw new CollectionTerminatedException();
          }
        }
      };
    }

    @Override
    public ScoreMode scoreMode() {
      return ScoreMode.COMPLETE_NO_SCORES;
    }
  }
}
