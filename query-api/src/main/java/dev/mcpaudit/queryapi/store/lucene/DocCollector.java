package dev.mcpaudit.queryapi.store.lucene;

import java.io.IOException;
import java.util.Collection;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.CollectorManager;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;

/** A collector that visits every matching document of each segment, without scores. */
public abstract class DocCollector implements Collector {
  /** What to do with each document of one segment. */
  public interface Visitor {
    void visit(int doc) throws IOException;

    default void finish() throws IOException {}
  }

  /**
   * A manager that makes collectors with {@code make} and combines what they found with {@code
   * reduce}.
   */
  public static <C extends DocCollector, R> CollectorManager<C, R> manager(
      Supplier<C> make, Function<Collection<C>, R> reduce) {
    return new CollectorManager<>() {
      @Override
      public C newCollector() {
        return make.get();
      }

      @Override
      public R reduce(Collection<C> collectors) {
        return reduce.apply(collectors);
      }
    };
  }

  /** Opens the doc values of a segment and returns how its documents are visited. */
  protected abstract Visitor visitor(LeafReaderContext context) throws IOException;

  @Override
  public final ScoreMode scoreMode() {
    return ScoreMode.COMPLETE_NO_SCORES;
  }

  @Override
  public final LeafCollector getLeafCollector(LeafReaderContext context) throws IOException {
    Visitor v = visitor(context);
    return new LeafCollector() {
      @Override
      public void setScorer(Scorable scorer) {}

      @Override
      public void collect(int doc) throws IOException {
        v.visit(doc);
      }

      @Override
      public void finish() throws IOException {
        v.finish();
      }
    };
  }
}
