package dev.mcpaudit.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.rules.query.SearchSyntax;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;

/**
 * One event as a one-document index, built by {@link IndexSchema#document} exactly as the indexer
 * builds it, so a query matches here what it matches in the index (the technique of Elasticsearch's
 * percolator). Only the searchable parts are added: terms and points, no stored values or doc
 * values. One per thread; {@link #load} reuses it for the next event.
 */
public final class EventDocument {
  private static final byte[] NO_SOURCE = new byte[0];
  private static final IndexSchema.Origin NO_ORIGIN = new IndexSchema.Origin(-1, -1, 0);

  private final Analyzer analyzer = SearchSyntax.analyzer();
  private final MemoryIndex index = new MemoryIndex(false, false);
  private IndexSearcher searcher;

  /** Makes this the index of {@code event} (one the validator passed). */
  public EventDocument load(JsonNode event) {
    index.reset();
    for (IndexableField f : IndexSchema.document(event, NO_SOURCE, NO_ORIGIN)) {
      if (f.fieldType().indexOptions() != IndexOptions.NONE
          || f.fieldType().pointDimensionCount() > 0) {
        index.addField(f, analyzer);
      }
    }
    index.freeze();
    searcher = index.createSearcher();
    searcher.setQueryCache(null);
    return this;
  }

  public boolean matches(Query q) {
    try {
      return searcher.count(q) > 0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("a memory index does not do I/O", e);
    }
  }
}
