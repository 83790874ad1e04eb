package dev.mcpaudit.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.StoredFieldsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene90.DeflateWithPresetDictCompressionMode;
import org.apache.lucene.codecs.lucene90.compressing.Lucene90CompressingStoredFieldsFormat;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small segments are written with LZ4, large ones and large merges with DEFLATE; whatever wrote a
 * segment, a reader that knows the codec only by name (as another process does) reads every event
 * back, including segments from before the LZ4 tier (no mode attribute).
 */
class EventCodec104Test {
  @TempDir Path dir;
  private final SyntheticEvents gen = new SyntheticEvents(8, Instant.parse("2026-11-26T08:00:00Z"));
  private final Set<String> written = new HashSet<>();

  @Test
  void segmentsBelowTheThresholdAreLz4AndAMergePastItIsDeflate() throws Exception {
    Codec fiftyDocs = new EventCodec104(50);
    try (FSDirectory fs = FSDirectory.open(dir)) {
      try (IndexWriter w =
          new IndexWriter(fs, config(fiftyDocs).setMergePolicy(NoMergePolicy.INSTANCE))) {
        add(w, 30);
        w.commit();
        add(w, 70);
        w.commit();
      }
      assertThat(modes(fs)).containsExactlyInAnyOrder("30:lz4", "70:deflate-120k");
      assertThat(readAllBack(fs)).isEqualTo(written);

      try (IndexWriter w = new IndexWriter(fs, config(fiftyDocs))) {
        w.forceMerge(1);
        w.commit();
      }
      assertThat(modes(fs)).containsExactly("100:deflate-120k");
      assertThat(readAllBack(fs)).isEqualTo(written);
    }
  }

  @Test
  void aSegmentFromBeforeTheLz4TierIsReadAsDeflate() throws Exception {
    // What McpAuditEvents104 wrote first: DEFLATE 120 KB chunks, no mode attribute.
    StoredFieldsFormat first =
        new Lucene90CompressingStoredFieldsFormat(
            "McpAuditStoredEvents",
            new DeflateWithPresetDictCompressionMode(),
            120 * 1024,
            4096,
            10);
    Codec before =
        new FilterCodec(EventCodec104.NAME, new Lucene104Codec()) {
          @Override
          public StoredFieldsFormat storedFieldsFormat() {
            return first;
          }
        };
    try (FSDirectory fs = FSDirectory.open(dir)) {
      try (IndexWriter w = new IndexWriter(fs, config(before))) {
        add(w, 40);
        w.commit();
      }
      assertThat(modes(fs)).containsExactly("40:null");
      assertThat(readAllBack(fs)).isEqualTo(written);
      try (IndexWriter w = new IndexWriter(fs, config(new EventCodec104()))) {
        add(w, 10);
        w.forceMerge(1);
        w.commit();
      }
      assertThat(modes(fs)).containsExactly("50:lz4");
      assertThat(readAllBack(fs)).isEqualTo(written);
    }
  }

  private static IndexWriterConfig config(Codec codec) {
    return new IndexWriterConfig()
        .setIndexSort(IndexSchema.INDEX_SORT)
        .setCodec(codec)
        .setUseCompoundFile(false);
  }

  private void add(IndexWriter w, int n) throws IOException {
    for (int i = 0; i < n; i++) {
      byte[] raw = EventCodec.encode(gen.next());
      w.addDocument(
          IndexSchema.document(
              EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      written.add(new String(raw, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static List<String> modes(FSDirectory fs) throws IOException {
    List<String> out = new ArrayList<>();
    for (SegmentCommitInfo si : SegmentInfos.readLatestCommit(fs)) {
      assertThat(si.info.getCodec().getName()).isEqualTo(EventCodec104.NAME);
      out.add(si.info.maxDoc() + ":" + si.info.getAttribute(EventCodec104.MODE_KEY));
    }
    return out;
  }

  /** Through a fresh reader: the codec is looked up by name, as in the API's process. */
  private static Set<String> readAllBack(FSDirectory fs) throws IOException {
    Set<String> out = new HashSet<>();
    try (DirectoryReader reader = DirectoryReader.open(fs)) {
      StoredFields stored = reader.storedFields();
      for (int d = 0; d < reader.maxDoc(); d++) {
        var raw = stored.document(d).getBinaryValue(IndexSchema.SOURCE_JSON);
        out.add(raw.utf8ToString());
      }
    }
    return out;
  }
}
