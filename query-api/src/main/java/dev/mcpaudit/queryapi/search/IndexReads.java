package dev.mcpaudit.queryapi.search;

import java.io.IOException;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;

/** Doc-values reads used by the aggregating endpoints: no stored document is loaded for them. */
public final class IndexReads {
  private IndexReads() {}

  /** The keyword value of {@code field} for {@code doc}, or null; {@code dv} must be positioned by the caller's iteration. */
  public static String keyword(SortedDocValues dv, int doc) throws IOException {
    if (dv == null || !dv.advanceExact(doc)) {
      return null;
    }
    return dv.lookupOrd(dv.ordValue()).utf8ToString();
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
