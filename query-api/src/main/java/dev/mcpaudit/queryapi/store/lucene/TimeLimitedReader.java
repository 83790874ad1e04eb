package dev.mcpaudit.queryapi.store.lucene;

import java.io.IOException;
import org.apache.lucene.index.AutomatonTermsEnum;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterDirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexReader.CacheHelper;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.automaton.CompiledAutomaton;

/**
 * A request's view of the index whose term dictionaries stop at the request's deadline. The
 * searcher's own time limit covers collecting matches only; a wildcard, prefix, fuzzy term or range
 * walks the term dictionary earlier, while the query is rewritten and its scorer built, and a walk
 * over millions of terms would run past any time limit unseen. Only terms are wrapped: doc values
 * and points are read during collection, which the searcher already limits, and wrapping them would
 * tax the aggregations' inner loops.
 */
final class TimeLimitedReader extends FilterDirectoryReader {
  /** The request ran out of time inside Lucene; the request is answered 503. */
  static final class DeadlinePassed extends RuntimeException {
    DeadlinePassed() {
      super("query deadline passed while enumerating terms", null, false, false);
    }
  }

  private final QueryTimeout timeout;

  private TimeLimitedReader(DirectoryReader in, QueryTimeout timeout) throws IOException {
    super(
        in,
        new SubReaderWrapper() {
          @Override
          public LeafReader wrap(LeafReader reader) {
            return new Leaf(reader, timeout);
          }
        });
    this.timeout = timeout;
  }

  static DirectoryReader wrap(DirectoryReader in, QueryTimeout timeout) throws IOException {
    return new TimeLimitedReader(in, timeout);
  }

  @Override
  protected DirectoryReader doWrapDirectoryReader(DirectoryReader in) throws IOException {
    return new TimeLimitedReader(in, timeout);
  }

  /** Same content as the wrapped reader, so the same caches (the query cache keys on them). */
  @Override
  public CacheHelper getReaderCacheHelper() {
    return in.getReaderCacheHelper();
  }

  private static final class Leaf extends FilterLeafReader {
    private final QueryTimeout timeout;

    Leaf(LeafReader in, QueryTimeout timeout) {
      super(in);
      this.timeout = timeout;
    }

    @Override
    public Terms terms(String field) throws IOException {
      Terms terms = in.terms(field);
      return terms == null ? null : new LimitedTerms(terms, timeout);
    }

    @Override
    public CacheHelper getCoreCacheHelper() {
      return in.getCoreCacheHelper();
    }

    @Override
    public CacheHelper getReaderCacheHelper() {
      return in.getReaderCacheHelper();
    }
  }

  private static final class LimitedTerms extends FilterLeafReader.FilterTerms {
    private final QueryTimeout timeout;

    LimitedTerms(Terms in, QueryTimeout timeout) {
      super(in);
      this.timeout = timeout;
    }

    @Override
    public TermsEnum iterator() throws IOException {
      return new LimitedTermsEnum(in.iterator(), timeout);
    }

    /**
     * The codec's own intersection walks the dictionary between matches where no wrapper can see
     * it: {@code actor.id:spi*zz*} would visit every {@code spi…} term before returning its first
     * (or no) match. Here the automaton drives the limited iterator instead, so every term the walk
     * visits counts towards the next look at the clock. This is Lucene's generic intersection (what
     * {@link Terms#intersect} does for codecs without their own).
     */
    @Override
    public TermsEnum intersect(CompiledAutomaton compiled, BytesRef startTerm) throws IOException {
      TermsEnum walk = iterator();
      if (startTerm == null) {
        return new AutomatonTermsEnum(walk, compiled);
      }
      return new AutomatonTermsEnum(walk, compiled) {
        @Override
        protected BytesRef nextSeekTerm(BytesRef term) throws IOException {
          return super.nextSeekTerm(term == null ? startTerm : term);
        }
      };
    }

    @Override
    public BytesRef getMin() throws IOException {
      return in.getMin();
    }

    @Override
    public BytesRef getMax() throws IOException {
      return in.getMax();
    }
  }

  /**
   * Looks at the clock every {@link #CHECK_EVERY} terms visited: often enough, and nowhere near
   * every term.
   */
  private static final class LimitedTermsEnum extends FilterLeafReader.FilterTermsEnum {
    private static final int CHECK_EVERY = 64;
    private final QueryTimeout timeout;
    private int calls;

    LimitedTermsEnum(TermsEnum in, QueryTimeout timeout) {
      super(in);
      this.timeout = timeout;
      check();
    }

    private void check() {
      if (timeout.shouldExit()) {
        throw new DeadlinePassed();
      }
    }

    @Override
    public BytesRef next() throws IOException {
      if (++calls % CHECK_EVERY == 0) {
        check();
      }
      return in.next();
    }

    @Override
    public SeekStatus seekCeil(BytesRef text) throws IOException {
      if (++calls % CHECK_EVERY == 0) {
        check();
      }
      return in.seekCeil(text);
    }
  }
}
