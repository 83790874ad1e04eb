package dev.mcpaudit.queryapi.export;

import dev.mcpaudit.indexer.schema.IndexSchema;
import dev.mcpaudit.queryapi.search.IndexAccess;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;

/**
 * Streams every matching event, oldest first, in pages of {@link #PAGE} over one point-in-time
 * reader: memory stays constant however many events match, and the export is one consistent view.
 */
public final class Exporter {
  static final int PAGE = 1000;
  static final Sort OLDEST_FIRST = new Sort(
      new SortField(IndexSchema.OCCURRED_AT, SortField.Type.LONG), new SortField(IndexSchema.EVENT_ID, SortField.Type.STRING));

  private final IndexAccess index;

  public Exporter(IndexAccess index) {
    this.index = index;
  }

  /** Writes the export and returns how many events it holds. */
  public long export(Query query, ExportFormat format, OutputStream out) {
    Query q = format.decisionsOnly()
        ? new BooleanQuery.Builder().add(query, BooleanClause.Occur.FILTER).add(IndexAccess.decisionsOnly(), BooleanClause.Occur.FILTER).build()
        : query;
    return index.readAll(searcher -> {
      format.header(out);
      StoredFields stored = searcher.storedFields();
      long rows = 0;
      ScoreDoc after = null;
      while (true) {
        TopDocs page = after == null
            ? searcher.search(q, PAGE, OLDEST_FIRST)
            : searcher.searchAfter(after, q, PAGE, OLDEST_FIRST);
        for (ScoreDoc sd : page.scoreDocs) {
          format.write(IndexAccess.source(stored.document(sd.doc, Set.of(IndexSchema.SOURCE_JSON))), out);
          rows++;
        }
        if (page.scoreDocs.length < PAGE) {
          out.flush();
          return rows;
        }
        after = (FieldDoc) page.scoreDocs[page.scoreDocs.length - 1];
      }
    });
  }

}
