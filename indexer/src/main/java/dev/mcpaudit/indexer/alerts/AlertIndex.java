package dev.mcpaudit.indexer.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.index.CommitOffsets;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertState;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.event.EventCodec;
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
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NumericDocValues;
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
import org.apache.lucene.util.BytesRef;

/**
 * The alerts index: one document per (tenant, alert_id) beside the events index, with the Kafka
 * offsets it reached in each commit. The alert's own bytes are written once (a detector restart
 * that re-emits an alert finds it recorded; nothing replaces them); the document around them is
 * rewritten as the alert's workflow state moves. Small by nature: alerts are rare, so no tuning
 * beyond the events index's lessons.
 */
public final class AlertIndex implements AlertStore, Closeable {
  private final Path path;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;

  /** The alert logs (README, "Evidence bundles"), or null while the evidence log is off. */
  private dev.mcpaudit.indexer.evidence.EvidenceLog logs;

  private dev.mcpaudit.indexer.evidence.CheckpointPublisher publisher;

  private AlertIndex(Path path, Directory directory, IndexWriter writer) throws IOException {
    this.path = path;
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
      return new AlertIndex(path, dir, w);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open alerts index " + path, e);
    }
  }

  /**
   * Keeps every alert recorded from now on in its tenant's alert log, beside this index, as the
   * events index keeps decisions (README, "Evidence bundles"): positions in this index's commits,
   * checkpoints signed with {@code settings} (origin {@code <evidence.origin>-alerts/<tenant>/<p>})
   * and published after the commit holding them. Before the alert thread starts.
   */
  public void keepEvidence(
      dev.mcpaudit.indexer.evidence.EvidenceLog.Settings settings,
      dev.mcpaudit.indexer.evidence.CheckpointPublisher publisher)
      throws IOException {
    this.logs =
        new dev.mcpaudit.indexer.evidence.EvidenceLog(
            path,
            writer.getLiveCommitData(),
            new dev.mcpaudit.indexer.evidence.EvidenceLog.Settings(
                settings.origin() + "-alerts",
                settings.key(),
                settings.every(),
                settings.interval()));
    this.publisher = publisher;
    publisher.publish(logs.committedLatest());
  }

  @Override
  public boolean keepsEvidence() {
    return logs != null;
  }

  @Override
  public long appendLeaf(String tenant, int partition, byte[] leafHash) {
    return logs.append(new dev.mcpaudit.index.evidence.LogId(tenant, partition), leafHash);
  }

  @Override
  public boolean checkpointDue() {
    return logs != null && logs.checkpointDue(Instant.now());
  }

  /**
   * The document of one alert as the detector wrote it on the topic, with its workflow state; or of
   * the state alone while its alert is not read yet ({@link AlertFields#TRACK_ONLY}).
   */
  public static Document document(Recorded r) throws IOException {
    Document d = new Document();
    d.add(new StringField(AlertFields.ALERT_ID, r.alertId(), Field.Store.NO));
    d.add(new StringField(AlertFields.TENANT, r.tenant(), Field.Store.NO));
    if (r.alert() != null) {
      JsonNode alert = EventCodec.mapper().readTree(r.alert());
      for (String f :
          new String[] {
            AlertFields.TYPE,
            AlertFields.SEVERITY,
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
      d.add(new StoredField(AlertFields.SOURCE, r.alert()));
      if (r.logged() != null) {
        d.add(new StoredField(IndexSchema.EVIDENCE_LEAF, r.logged().leaf()));
        d.add(new StoredField(IndexSchema.KAFKA_PARTITION, r.logged().partition()));
        d.add(new StoredField(IndexSchema.PROVENANCE, r.logged().kind()));
        if (r.logged().by() != null) {
          d.add(new StoredField(IndexSchema.PROVENANCE_BY, r.logged().by()));
        }
      }
    } else {
      d.add(new StringField(AlertFields.TRACK_ONLY, "true", Field.Store.NO));
    }
    long detected = r.detectedAt().toEpochMilli();
    d.add(new LongPoint(AlertFields.DETECTED_AT, detected));
    d.add(new NumericDocValuesField(AlertFields.DETECTED_AT, detected));
    AlertState state = r.track().state();
    keyword(d, AlertFields.STATUS, state.status().wire());
    if (state.assignee() != null) {
      keyword(d, AlertFields.ASSIGNEE, state.assignee());
    }
    if (state.closeReason() != null) {
      keyword(d, AlertFields.CLOSE_REASON, state.closeReason().wire());
    }
    if (r.track().version() > 0) {
      d.add(new StoredField(AlertFields.TRACK, AlertChangeCodec.trackBytes(r.track())));
    }
    return d;
  }

  /** Filterable and countable. */
  private static void keyword(Document d, String field, String value) {
    d.add(new StringField(field, value, Field.Store.NO));
    d.add(new SortedDocValuesField(field, new BytesRef(value)));
  }

  /** The query for the one record of (tenant, alert_id). */
  public static Query key(String tenant, String alertId) {
    return new BooleanQuery.Builder()
        .add(new TermQuery(new Term(AlertFields.ALERT_ID, alertId)), BooleanClause.Occur.FILTER)
        .add(new TermQuery(new Term(AlertFields.TENANT, tenant)), BooleanClause.Occur.FILTER)
        .build();
  }

  /** Replaces the record of the alert: its alert bytes stay as they were first written. */
  @Override
  public void write(Recorded r) throws IOException {
    writer.deleteDocuments(key(r.tenant(), r.alertId()));
    writer.addDocument(document(r));
  }

  @Override
  public Optional<Map<String, Long>> storedOffsets() {
    return Optional.of(committedOffsets());
  }

  /** What the last commit holds for (tenant, alert_id), or null. */
  @Override
  public Recorded find(String tenant, String alertId) throws IOException {
    IndexSearcher searcher = searchers.acquire();
    try {
      TopDocs hits = searcher.search(key(tenant, alertId), 1);
      if (hits.scoreDocs.length == 0) {
        return null;
      }
      return recorded(searcher, hits.scoreDocs[0].doc, tenant, alertId);
    } finally {
      searchers.release(searcher);
    }
  }

  private static Recorded recorded(IndexSearcher searcher, int doc, String tenant, String alertId)
      throws IOException {
    Document d = searcher.storedFields().document(doc);
    BytesRef alert = d.getBinaryValue(AlertFields.SOURCE);
    BytesRef track = d.getBinaryValue(AlertFields.TRACK);
    NumericDocValues detected =
        org.apache.lucene.index.MultiDocValues.getNumericValues(
            searcher.getIndexReader(), AlertFields.DETECTED_AT);
    long at = detected != null && detected.advanceExact(doc) ? detected.longValue() : 0;
    org.apache.lucene.index.IndexableField leaf = d.getField(IndexSchema.EVIDENCE_LEAF);
    Logged logged =
        leaf == null
            ? null
            : new Logged(
                d.getField(IndexSchema.KAFKA_PARTITION).numericValue().intValue(),
                leaf.numericValue().longValue(),
                d.get(IndexSchema.PROVENANCE),
                d.get(IndexSchema.PROVENANCE_BY));
    return new Recorded(
        tenant,
        alertId,
        Instant.ofEpochMilli(at),
        alert == null ? null : BytesRef.deepCopyOf(alert).bytes,
        track == null ? AlertTrack.NEW : AlertChangeCodec.track(BytesRef.deepCopyOf(track).bytes),
        logged);
  }

  public Map<String, Long> committedOffsets() {
    return CommitOffsets.read(writer.getLiveCommitData());
  }

  @Override
  public void commit(Map<String, Long> nextOffsets) throws IOException {
    // The logs' files are written and forced first, and their positions committed with the
    // offsets; checkpoints go out only once a commit holds them (README, "Verifiable evidence").
    dev.mcpaudit.indexer.evidence.EvidenceLog.Prepared evidence =
        logs == null ? null : logs.prepare(Instant.now());
    if (evidence != null) {
      evidence.flush();
    }
    writer.setLiveCommitData(
        CommitOffsets.userData(nextOffsets, evidence == null ? Map.of() : evidence.userData())
            .entrySet());
    writer.commit();
    if (evidence != null) {
      publisher.publish(evidence.made());
    }
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
    if (publisher != null) {
      publisher.close();
    }
    searchers.close();
    writer.close();
    directory.close();
  }
}
