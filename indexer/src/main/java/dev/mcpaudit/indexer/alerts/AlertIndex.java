package dev.mcpaudit.indexer.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.index.CommitOffsets;
import dev.mcpaudit.index.StoredEvents;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * The alerts index: one document per (tenant, alert_id), written once (a detector restart that
 * re-emits an alert finds it recorded; nothing replaces it), beside the events index, with the
 * Kafka offsets it reached in each commit. Small by nature: alerts are rare, so no tuning beyond
 * the events index's lessons.
 */
public final class AlertIndex implements AlertStore, Closeable {
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;

  private AlertIndex(Directory directory, IndexWriter writer) throws IOException {
    this.directory = directory;
    this.writer = writer;
    this.searchers = new SearcherManager(writer, true, false, null);
  }

  public static AlertIndex open(Path path) {
    try {
      Files.createDirectories(path);
      Directory dir = FSDirectory.open(path);
      IndexWriter w =
          new IndexWriter(
              dir,
              new IndexWriterConfig(new StandardAnalyzer())
                  .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                  .setCommitOnClose(false));
      if (!org.apache.lucene.index.DirectoryReader.indexExists(dir)) {
        w.commit(); // an API started before the first alert opens an empty index, not an error
      }
      return new AlertIndex(dir, w);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open alerts index " + path, e);
    }
  }

  /** The document of one alert as the detector wrote it on the topic. */
  public static Document document(JsonNode alert, byte[] json) {
    Document d = new Document();
    d.add(
        new StringField(
            AlertFields.ALERT_ID, alert.path(AlertFields.ALERT_ID).asText(), Field.Store.NO));
    for (String f :
        new String[] {
          AlertFields.TYPE,
          AlertFields.SEVERITY,
          AlertFields.TENANT,
          AlertFields.SUBJECT,
          AlertFields.ACTOR,
          AlertFields.HANDLE,
          AlertFields.TOOL
        }) {
      if (alert.hasNonNull(f)) {
        d.add(new StringField(f, alert.get(f).asText(), Field.Store.NO));
      }
    }
    alert
        .path(AlertFields.EVIDENCE)
        .forEach(e -> d.add(new StringField(AlertFields.EVIDENCE, e.asText(), Field.Store.NO)));
    long detected = Instant.parse(alert.path(AlertFields.DETECTED_AT).asText()).toEpochMilli();
    d.add(new LongPoint(AlertFields.DETECTED_AT, detected));
    d.add(new NumericDocValuesField(AlertFields.DETECTED_AT, detected));
    d.add(new StoredField(AlertFields.SOURCE, json));
    return d;
  }

  /** Adds an alert; {@link AlertIngest} has checked that its (tenant, alert_id) is not recorded. */
  @Override
  public void add(JsonNode alert, byte[] json) throws IOException {
    writer.addDocument(document(alert, json));
  }

  @Override
  public Optional<Map<String, Long>> storedOffsets() {
    return Optional.of(committedOffsets());
  }

  /**
   * The stored JSON of the committed alert with this tenant and id, or null. Writes since the last
   * commit are not seen.
   */
  @Override
  public byte[] find(String tenant, String alertId) throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      Query q =
          new BooleanQuery.Builder()
              .add(
                  new TermQuery(new Term(AlertFields.ALERT_ID, alertId)),
                  BooleanClause.Occur.FILTER)
              .add(new TermQuery(new Term(AlertFields.TENANT, tenant)), BooleanClause.Occur.FILTER)
              .build();
      TopDocs hits = searcher.search(q, 1);
      if (hits.scoreDocs.length == 0) {
        return null;
      }
      return StoredEvents.bytes(searcher.storedFields(), hits.scoreDocs[0].doc);
    } finally {
      searchers.release(searcher);
    }
  }

  public Map<String, Long> committedOffsets() {
    return CommitOffsets.read(writer.getLiveCommitData());
  }

  @Override
  public void commit(Map<String, Long> nextOffsets) throws IOException {
    writer.setLiveCommitData(CommitOffsets.userData(nextOffsets, Map.of()).entrySet());
    writer.commit();
    searchers.maybeRefreshBlocking(); // AlertIngest forgets its unrefreshed writes after this
  }

  public SearcherManager searchers() {
    return searchers;
  }

  public long liveDocs() {
    return writer.getDocStats().numDocs;
  }

  @Override
  public void close() throws IOException {
    searchers.close();
    writer.close();
    directory.close();
  }
}
