package dev.mcpaudit.queryapi.store.lucene;

import dev.mcpaudit.index.IndexSchema;
import java.io.IOException;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.SortedDocValues;

/**
 * A segment's allow/deny by ordinal: the two ordinals are looked up once per segment, and each
 * document's decision is an int comparison, not a decoded term.
 */
final class DecisionOrds {
  static final int NEITHER = 0;
  static final int ALLOW = 1;
  static final int DENY = 2;

  private final SortedDocValues values;
  private final int allowOrd;
  private final int denyOrd;

  private DecisionOrds(SortedDocValues values) throws IOException {
    this.values = values;
    this.allowOrd = IndexReads.ordOf(values, "allow");
    this.denyOrd = IndexReads.ordOf(values, "deny");
  }

  static DecisionOrds of(LeafReader segment) throws IOException {
    return new DecisionOrds(IndexReads.sorted(segment, IndexSchema.DECISION));
  }

  /**
   * {@link #ALLOW}, {@link #DENY} or {@link #NEITHER} (a lifecycle event); documents are asked in
   * increasing order.
   */
  int of(int doc) throws IOException {
    if (values == null || !values.advanceExact(doc)) {
      return NEITHER;
    }
    int ord = values.ordValue();
    return ord == allowOrd && ord >= 0 ? ALLOW : ord == denyOrd && ord >= 0 ? DENY : NEITHER;
  }

  boolean allows(int doc) throws IOException {
    return of(doc) == ALLOW;
  }
}
