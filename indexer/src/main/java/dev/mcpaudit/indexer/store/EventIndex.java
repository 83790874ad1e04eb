package dev.mcpaudit.indexer.store;

import dev.mcpaudit.indexer.schema.IndexSchema;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * The Lucene index of events on local disk, with the Kafka position it reflects. Each commit
 * carries, in its user data, the next offset to read for every partition indexed so far: the
 * index, not the consumer group, decides where reading resumes, so a crash between the two never
 * loses or doubles an event. Documents are written by {@code event_id}, so an event read twice
 * is still one document.
 */
public final class EventIndex implements Closeable {
  private static final String SCHEMA_KEY = "mcp-audit.index-schema";

  private final Path path;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;

  private EventIndex(Path path, Directory directory, IndexWriter writer) throws IOException {
    this.path = path;
    this.directory = directory;
    this.writer = writer;
    // applyAllDeletes: a re-published event must never show twice, even before a commit.
    this.searchers = new SearcherManager(writer, true, false, null);
  }

  /** Opens the index in {@code path}, creating it if needed; {@code ramBufferMb} bounds the heap it uses. */
  public static EventIndex open(Path path, double ramBufferMb) {
    return open(path, ramBufferMb, StoredCompression.DEFLATE);
  }

  /**
   * How stored events are compressed. DEFLATE: {@link EventCodec104}'s small DEFLATE chunks in
   * large segments (the size target, and pages of far-apart events fast enough) and LZ4 in the
   * small, often rewritten ones. LZ4: every segment, about three times faster loads for twice
   * the stored bytes. Per segment: switching applies to new segments and to merges.
   */
  public enum StoredCompression {
    DEFLATE {
      @Override
      Codec codec() {
        return new EventCodec104();
      }
    },
    LZ4 {
      @Override
      Codec codec() {
        return new Lucene104Codec(Lucene104Codec.Mode.BEST_SPEED);
      }
    };

    abstract Codec codec();
  }

  public static EventIndex open(Path path, double ramBufferMb, StoredCompression compression) {
    try {
      Files.createDirectories(path);
      Directory dir = FSDirectory.open(path);
      IndexWriterConfig cfg = new IndexWriterConfig(new StandardAnalyzer())
          .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
          .setIndexSort(IndexSchema.INDEX_SORT)
          .setCodec(compression.codec())
          .setRAMBufferSizeMB(ramBufferMb)
          .setCommitOnClose(false)
          // Near-real-time refreshes flush small segments several times a second; packing each
          // into a compound file would copy it once more for nothing. Merges make them big anyway.
          .setUseCompoundFile(false)
          .setMergePolicy(noCompoundFiles(new TieredMergePolicy()));
      IndexWriter writer = new IndexWriter(dir, cfg);
      if (!DirectoryReader.indexExists(dir)) {
        writer.commit(); // an api started before the first event opens an empty index, not an error
      }
      return new EventIndex(path, dir, writer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open index " + path, e);
    }
  }

  private static TieredMergePolicy noCompoundFiles(TieredMergePolicy p) {
    p.setNoCFSRatio(0.0);
    return p;
  }

  public Path path() {
    return path;
  }

  /** Adds or replaces the document of one event. */
  public void put(String eventId, Document doc) throws IOException {
    writer.updateDocument(new Term(IndexSchema.EVENT_ID, eventId), doc);
  }

  /** Appends without the by-id replace: only for loads whose ids are known to be new (bench, rebuilds). */
  public void append(Document doc) throws IOException {
    writer.addDocument(doc);
  }

  /** Next offset to read per {@code topic:partition}, as of the last commit. */
  public Map<String, Long> committedOffsets() {
    return CommitOffsets.read(writer.getLiveCommitData());
  }

  /** Makes everything written so far durable, together with the offsets it corresponds to. */
  public void commit(Map<String, Long> nextOffsets) throws IOException {
    writer.setLiveCommitData(CommitOffsets.userData(nextOffsets, Map.of(SCHEMA_KEY, "1")).entrySet());
    writer.commit();
  }

  /** Makes recent writes visible to searches (near-real-time); cheap when nothing changed. */
  public void refresh() throws IOException {
    searchers.maybeRefresh();
  }

  public SearcherManager searchers() {
    return searchers;
  }

  /** Deletes events that occurred before {@code cutoffMillis}; returns how many documents matched. */
  public long deleteOccurredBefore(long cutoffMillis) throws IOException {
    long before = writer.getDocStats().numDocs;
    writer.deleteDocuments(LongPoint.newRangeQuery(IndexSchema.OCCURRED_AT, Long.MIN_VALUE, cutoffMillis - 1));
    searchers.maybeRefreshBlocking();
    return before - writer.getDocStats().numDocs;
  }

  /** Rewrites segments that are mostly deleted so their disk space comes back. */
  public void reclaimDeleted() throws IOException {
    writer.forceMergeDeletes(true);
  }

  /** Merges down to at most {@code maxSegments} segments (for cold indexes and size measurements). */
  public void forceMerge(int maxSegments) throws IOException {
    writer.forceMerge(maxSegments);
  }

  public long liveDocs() {
    return writer.getDocStats().numDocs;
  }

  /** Bytes of the committed index files on disk. */
  public long sizeOnDisk() {
    long total = 0;
    try {
      for (String f : directory.listAll()) {
        try {
          total += directory.fileLength(f);
        } catch (IOException deletedMeanwhile) {
          // a merge removed it between listing and sizing
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total;
  }

  /** Like {@link #committedOffsets(Path)}, but empty while the directory holds no commit yet. */
  public static Map<String, Long> committedOffsetsOrEmpty(Path path) {
    try {
      return committedOffsets(path);
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  /** The committed offsets of an index directory, read without opening a writer (tests, tools). */
  public static Map<String, Long> committedOffsets(Path path) throws IOException {
    try (Directory dir = FSDirectory.open(path)) {
      IndexCommit last = DirectoryReader.listCommits(dir).getLast();
      return CommitOffsets.read(last.getUserData().entrySet());
    }
  }

  /**
   * The event_id of every live document, duplicates kept (for verification: a correct index has
   * none). Reads doc values, not stored documents.
   */
  public static List<String> eventIds(IndexReader reader) throws IOException {
    List<String> ids = new ArrayList<>();
    for (LeafReaderContext leaf : reader.leaves()) {
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

  /** {@link #eventIds} of the last commit of an index directory, opened read-only. */
  public static List<String> committedEventIds(Path path) throws IOException {
    try (Directory dir = FSDirectory.open(path); DirectoryReader reader = DirectoryReader.open(dir)) {
      return eventIds(reader);
    }
  }

  /** Closes without committing: only {@link #commit} decides what is durable. */
  @Override
  public void close() throws IOException {
    searchers.close();
    writer.rollback();
    directory.close();
  }
}
