package dev.mcpaudit.indexer;

import dev.mcpaudit.indexer.schema.IndexSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/** Reads an index the way a test checks it: every live document's event_id, duplicates kept. */
final class IndexContents {
  private IndexContents() {}

  static List<String> eventIds(IndexSearcher searcher) throws IOException {
    List<String> ids = new ArrayList<>();
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Bits live = leaf.reader().getLiveDocs();
      SortedDocValues dv = leaf.reader().getSortedDocValues(IndexSchema.EVENT_ID);
      if (dv == null) {
        continue;
      }
      for (int doc = dv.nextDoc(); doc != SortedDocValues.NO_MORE_DOCS; doc = dv.nextDoc()) {
        if (live == null || live.get(doc)) {
          ids.add(dv.lookupOrd(dv.ordValue()).utf8ToString());
        }
      }
    }
    return ids;
  }

  /** The last commit of an index directory, opened read-only. */
  static List<String> committedEventIds(Path indexPath) throws IOException {
    try (FSDirectory dir = FSDirectory.open(indexPath); DirectoryReader reader = DirectoryReader.open(dir)) {
      return eventIds(new IndexSearcher(reader));
    }
  }
}
