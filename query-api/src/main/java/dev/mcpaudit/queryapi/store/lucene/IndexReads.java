package dev.mcpaudit.queryapi.store.lucene;

import java.io.IOException;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.util.BytesRef;

/** Doc-values reads used by the aggregating endpoints: no stored document is loaded for them. */
public final class IndexReads {
  private IndexReads() {}

  /**
   * The keyword value of {@code field} for {@code doc}, or null; {@code dv} must be positioned by
   * the caller's iteration.
   */
  public static String keyword(SortedDocValues dv, int doc) throws IOException {
    if (dv == null || !dv.advanceExact(doc)) {
      return null;
    }
    return dv.lookupOrd(dv.ordValue()).utf8ToString();
  }

  /** The ordinal of {@code doc}'s value in {@code dv}, or -1 when it has none. */
  public static int ord(SortedDocValues dv, int doc) throws IOException {
    return dv != null && dv.advanceExact(doc) ? dv.ordValue() : -1;
  }

  /** The value of ordinal {@code ord}, or null for -1. */
  public static String value(SortedDocValues dv, int ord) throws IOException {
    return ord < 0 ? null : dv.lookupOrd(ord).utf8ToString();
  }

  /** The segment ordinal of {@code value}, or -1 when no document of the segment has it. */
  public static int ordOf(SortedDocValues dv, String value) throws IOException {
    if (dv == null) {
      return -1;
    }
    int ord = dv.lookupTerm(new BytesRef(value));
    return ord >= 0 ? ord : -1;
  }

  public static long number(NumericDocValues dv, int doc, long missing) throws IOException {
    if (dv == null || !dv.advanceExact(doc)) {
      return missing;
    }
    return dv.longValue();
  }

  public static SortedDocValues sorted(LeafReader reader, String field) throws IOException {
    return reader.getSortedDocValues(field);
  }

  public static NumericDocValues numeric(LeafReader reader, String field) throws IOException {
    return reader.getNumericDocValues(field);
  }
}
