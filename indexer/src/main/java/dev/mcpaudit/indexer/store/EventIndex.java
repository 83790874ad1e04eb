package dev.mcpaudit.indexer.store;

import dev.mcpaudit.index.CommitOffsets;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.index.StoredEvents;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The Lucene index of events on local disk, with the Kafka position it reflects. Each commit
 * carries, in its user data, the next offset to read for every partition indexed so far: the index,
 * not the consumer group, decides where reading resumes, so a crash between the two never loses or
 * doubles an event.
 *
 * <p>Records are write-once by (tenant, event_id) (docs/architecture.md, "Write-once records"):
 * {@link Batch#find} says whether a record exists, against the near-real-time reader plus the
 * writes it cannot see yet ({@link RecentWrites}), and {@link Batch#add} only ever adds. Nothing
 * replaces a stored event; only retention deletes.
 */
public final class EventIndex implements Closeable {
  private static final String SCHEMA_KEY = "mcp-audit.index-schema";

  private final Path path;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final RecentWrites recent = new RecentWrites();

  private EventIndex(Path path, Directory directory, IndexWriter writer) throws IOException {
    this.path = path;
    this.directory = directory;
    this.writer = writer;
    // applyAllDeletes: a re-published event must never show twice, even before a commit.
    this.searchers = new SearcherManager(writer, true, false, null);
  }

  /**
   * Opens the index in {@code path}, creating it if needed; {@code ramBufferMb} bounds the heap it
   * uses.
   */
  public static EventIndex open(Path path, double ramBufferMb) {
    return open(path, ramBufferMb, StoredCompression.DEFLATE);
  }

  public static EventIndex open(Path path, double ramBufferMb, StoredCompression compression) {
    try {
      Files.createDirectories(path);
      Directory dir = FSDirectory.open(path);
      IndexWriterConfig cfg =
          new IndexWriterConfig(new StandardAnalyzer())
              .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
              .setIndexSort(IndexSchema.INDEX_SORT)
              .setCodec(compression.codec())
              .setRAMBufferSizeMB(ramBufferMb)
              .setCommitOnClose(false)
              // Near-real-time refreshes flush small segments several times a second; packing each
              // into a compound file would copy it once more for nothing. Merges make them big
              // anyway.
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

  /**
   * Appends without looking for an earlier version: only for loads whose records are known to be
   * new (bench, fixtures).
   */
  public void append(Document doc) throws IOException {
    writer.addDocument(doc);
  }

  /**
   * Opens a batch of write-once writes. A batch holds one reader for its life, and a refresh waits
   * for open batches before it forgets the writes its new reader holds: keep batches short (one
   * poll's share) and close them.
   */
  public Batch batch() throws IOException {
    recent.beginBatch();
    try {
      return new Batch(searchers.acquire());
    } catch (IOException | RuntimeException e) {
      recent.endBatch();
      throw e;
    }
  }

  /**
   * Writes of the current batches not yet visible to search: the loop refreshes when there are
   * many.
   */
  public int unrefreshedWrites() {
    return recent.size();
  }

  /** Lookups and writes of one thread, against one reader. Not thread-safe: one per thread. */
  public final class Batch implements Closeable {
    private final IndexSearcher searcher;
    private final List<LeafReaderContext> leaves;
    private final TermsEnum[] ids;
    private boolean closed;

    private Batch(IndexSearcher searcher) throws IOException {
      this.searcher = searcher;
      this.leaves = searcher.getIndexReader().leaves();
      this.ids = new TermsEnum[leaves.size()];
      for (int i = 0; i < ids.length; i++) {
        Terms terms = leaves.get(i).reader().terms(IndexSchema.EVENT_ID);
        ids[i] = terms == null ? null : terms.iterator();
      }
    }

    /** The recorded version of {@code key}, or null when there is none. */
    public StoredVersion find(RecordKey key) throws IOException {
      StoredVersion unrefreshed = recent.get(key);
      if (unrefreshed != null) {
        return unrefreshed;
      }
      BytesRef id = new BytesRef(key.eventId());
      BytesRef tenant = null;
      for (int i = 0; i < ids.length; i++) {
        if (ids[i] == null || !ids[i].seekExact(id)) {
          continue;
        }
        LeafReader leaf = leaves.get(i).reader();
        if (tenant == null) {
          tenant = new BytesRef(key.tenant());
        }
        StoredVersion found = inLeaf(leaf, ids[i].postings(null, PostingsEnum.NONE), tenant);
        if (found != null) {
          return found;
        }
      }
      return null;
    }

    /** The same id in other tenants shares the term: the tenant's doc values tell them apart. */
    private StoredVersion inLeaf(LeafReader leaf, PostingsEnum docs, BytesRef tenant)
        throws IOException {
      Bits live = leaf.getLiveDocs();
      SortedDocValues tenants = leaf.getSortedDocValues(IndexSchema.TENANT);
      for (int doc = docs.nextDoc(); doc != PostingsEnum.NO_MORE_DOCS; doc = docs.nextDoc()) {
        if ((live == null || live.get(doc))
            && tenants != null
            && tenants.advanceExact(doc)
            && tenants.lookupOrd(tenants.ordValue()).equals(tenant)) {
          Document d = leaf.storedFields().document(doc);
          org.apache.lucene.index.IndexableField leafIndex = d.getField(IndexSchema.EVIDENCE_LEAF);
          return new StoredVersion(
              StoredEvents.bytes(d),
              d.getField(IndexSchema.KAFKA_PARTITION).numericValue().intValue(),
              d.getField(IndexSchema.KAFKA_OFFSET).numericValue().longValue(),
              leafIndex == null ? -1 : leafIndex.numericValue().longValue(),
              StoredEvents.provenance(d));
        }
      }
      return null;
    }

    /** Adds the first version of {@code key}; the caller has just found none in this batch. */
    public void add(RecordKey key, Document doc, StoredVersion version) throws IOException {
      writer.addDocument(doc);
      recent.put(key, version);
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        searchers.release(searcher);
      } finally {
        recent.endBatch();
      }
    }
  }

  /** Next offset to read per {@code topic:partition}, as of the last commit. */
  public Map<String, Long> committedOffsets() {
    return CommitOffsets.read(writer.getLiveCommitData());
  }

  /** Makes everything written so far durable, together with the offsets it corresponds to. */
  public void commit(Map<String, Long> nextOffsets) throws IOException {
    commit(nextOffsets, Map.of());
  }

  /**
   * Like {@link #commit(Map)}, with {@code extra} user data recorded in the same commit (the
   * evidence logs' positions).
   */
  public void commit(Map<String, Long> nextOffsets, Map<String, String> extra) throws IOException {
    Map<String, String> data = new java.util.HashMap<>(extra);
    data.put(SCHEMA_KEY, "1");
    writer.setLiveCommitData(CommitOffsets.userData(nextOffsets, data).entrySet());
    writer.commit();
  }

  /** The user data of the last commit (or of the one being made). */
  public Iterable<Map.Entry<String, String>> committedUserData() {
    return writer.getLiveCommitData();
  }

  /**
   * Makes recent writes visible to searches (near-real-time), then forgets them from the
   * unrefreshed map: from now on the reader answers for them. Never call it inside a batch.
   */
  public void refresh() throws IOException {
    long closed = recent.closeGeneration();
    searchers.maybeRefreshBlocking();
    recent.forget(closed);
  }

  public SearcherManager searchers() {
    return searchers;
  }

  /**
   * Deletes events that occurred before {@code cutoffMillis}; returns how many documents matched.
   */
  public long deleteOccurredBefore(long cutoffMillis) throws IOException {
    long before = writer.getDocStats().numDocs;
    writer.deleteDocuments(
        LongPoint.newRangeQuery(IndexSchema.OCCURRED_AT, Long.MIN_VALUE, cutoffMillis - 1));
    refresh();
    return before - writer.getDocStats().numDocs;
  }

  /** Rewrites segments that are mostly deleted so their disk space comes back. */
  public void reclaimDeleted() throws IOException {
    writer.forceMergeDeletes(true);
  }

  /**
   * Merges down to at most {@code maxSegments} segments (for cold indexes and size measurements).
   */
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
    try (Directory dir = FSDirectory.open(path);
        DirectoryReader reader = DirectoryReader.open(dir)) {
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
