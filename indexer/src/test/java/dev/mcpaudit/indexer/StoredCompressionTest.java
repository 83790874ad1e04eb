package dev.mcpaudit.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.index.EventCodec104;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.index.StoredCompression;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * indexer.stored-compression picks the stored-fields mode of new segments; events read back either
 * way.
 */
class StoredCompressionTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoredCompression.class)
  void segmentsAreWrittenInTheChosenModeAndReadBack(StoredCompression mode) throws Exception {
    Path path = dir.resolve(mode.name());
    SyntheticEvents gen = new SyntheticEvents(5, Instant.parse("2026-11-26T08:00:00Z"));
    try (EventIndex index = EventIndex.open(path, 16, mode)) {
      for (int i = 0; i < 100; i++) {
        byte[] raw = EventCodec.encode(gen.next());
        index.append(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      }
      index.commit(Map.of());
    }
    try (FSDirectory fs = FSDirectory.open(path);
        DirectoryReader reader = DirectoryReader.open(fs)) {
      for (SegmentCommitInfo si : SegmentInfos.readLatestCommit(fs)) {
        if (mode == StoredCompression.LZ4) {
          assertThat(si.info.getCodec().getName()).isEqualTo("Lucene104");
          assertThat(si.info.getAttribute("Lucene90StoredFieldsFormat.mode"))
              .isEqualTo("BEST_SPEED");
        } else {
          assertThat(si.info.getCodec().getName()).isEqualTo(EventCodec104.NAME);
        }
      }
      assertThat(EventIndex.eventIds(reader)).hasSize(100);
      assertThat(reader.storedFields().document(0).getBinaryValue(IndexSchema.SOURCE_JSON).length)
          .isGreaterThan(100);
    }
  }

  /**
   * Indexes written before the small-chunk codec (Lucene's own, DEFLATE in 480 KB chunks) keep
   * working: old segments are read by their codec, new ones and merges get ours, and the codec is
   * found by name the way a reader in another process finds it.
   */
  @Test
  void anIndexWrittenWithLucenesCodecIsReadAppendedAndMergedIntoTheSmallChunks() throws Exception {
    Path path = dir.resolve("upgraded");
    SyntheticEvents gen = new SyntheticEvents(6, Instant.parse("2026-11-26T08:00:00Z"));
    try (FSDirectory fs = FSDirectory.open(path);
        IndexWriter old =
            new IndexWriter(
                fs,
                new IndexWriterConfig()
                    .setIndexSort(IndexSchema.INDEX_SORT)
                    .setCodec(new Lucene104Codec(Lucene104Codec.Mode.BEST_COMPRESSION)))) {
      for (int i = 0; i < 50; i++) {
        byte[] raw = EventCodec.encode(gen.next());
        old.addDocument(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      }
      old.commit();
    }
    try (EventIndex index = EventIndex.open(path, 16)) {
      for (int i = 50; i < 100; i++) {
        byte[] raw = EventCodec.encode(gen.next());
        index.append(
            IndexSchema.document(
                EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      }
      index.commit(Map.of());
    }
    try (FSDirectory fs = FSDirectory.open(path)) {
      assertThat(SegmentInfos.readLatestCommit(fs).asList())
          .extracting(si -> si.info.getCodec().getName())
          .containsExactlyInAnyOrder("Lucene104", EventCodec104.NAME);
      try (IndexWriter merger =
          new IndexWriter(
              fs,
              new IndexWriterConfig()
                  .setIndexSort(IndexSchema.INDEX_SORT)
                  .setCodec(new EventCodec104()))) {
        merger.forceMerge(1);
        merger.commit();
      }
      assertThat(SegmentInfos.readLatestCommit(fs).asList())
          .extracting(si -> si.info.getCodec().getName())
          .containsExactly(EventCodec104.NAME);
      try (DirectoryReader reader = DirectoryReader.open(fs)) {
        assertThat(EventIndex.eventIds(reader)).hasSize(100);
        for (int d = 0; d < reader.maxDoc(); d++) {
          byte[] raw =
              reader.storedFields().document(d).getBinaryValue(IndexSchema.SOURCE_JSON).bytes;
          assertThat(EventCodec.mapper().readTree(raw).path("event_id").asText())
              .startsWith("ev-6-");
        }
      }
    }
    assertThat(Codec.forName(EventCodec104.NAME)).isInstanceOf(EventCodec104.class);
  }

  @Test
  void theSettingIsCheckedAndDefaultsToDeflate() {
    assertThat(IndexerConfig.from(Settings.of(Map.of())).storedCompression())
        .isEqualTo(StoredCompression.DEFLATE);
    assertThat(
            IndexerConfig.from(Settings.of(Map.of("indexer.stored-compression", "LZ4")))
                .storedCompression())
        .isEqualTo(StoredCompression.LZ4);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> IndexerConfig.from(Settings.of(Map.of("indexer.stored-compression", "zstd"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("deflate or lz4");
  }
}
