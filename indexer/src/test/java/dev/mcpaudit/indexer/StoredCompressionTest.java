package dev.mcpaudit.indexer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.indexer.schema.IndexSchema;
import dev.mcpaudit.indexer.store.EventIndex;
import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** indexer.stored-compression picks the stored-fields mode of new segments; events read back either way. */
class StoredCompressionTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(EventIndex.StoredCompression.class)
  void segmentsAreWrittenInTheChosenModeAndReadBack(EventIndex.StoredCompression mode) throws Exception {
    Path path = dir.resolve(mode.name());
    SyntheticEvents gen = new SyntheticEvents(5, Instant.parse("2026-11-26T08:00:00Z"));
    try (EventIndex index = EventIndex.open(path, 16, mode)) {
      for (int i = 0; i < 100; i++) {
        byte[] raw = EventCodec.encode(gen.next());
        index.put("ev-5-" + i, IndexSchema.document(EventCodec.mapper().readTree(raw), raw, new IndexSchema.Origin(0, i, 0)));
      }
      index.commit(Map.of());
    }
    try (FSDirectory fs = FSDirectory.open(path); DirectoryReader reader = DirectoryReader.open(fs)) {
      for (SegmentCommitInfo si : SegmentInfos.readLatestCommit(fs)) {
        assertThat(si.info.getAttribute("Lucene90StoredFieldsFormat.mode"))
            .isEqualTo(mode == EventIndex.StoredCompression.LZ4 ? "BEST_SPEED" : "BEST_COMPRESSION");
      }
      assertThat(EventIndex.eventIds(reader)).hasSize(100);
      assertThat(reader.storedFields().document(0).getBinaryValue(IndexSchema.SOURCE_JSON).length).isGreaterThan(100);
    }
  }

  @Test
  void theSettingIsCheckedAndDefaultsToDeflate() {
    assertThat(IndexerConfig.from(Settings.of(Map.of())).storedCompression()).isEqualTo(EventIndex.StoredCompression.DEFLATE);
    assertThat(IndexerConfig.from(Settings.of(Map.of("indexer.stored-compression", "LZ4"))).storedCompression())
        .isEqualTo(EventIndex.StoredCompression.LZ4);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> IndexerConfig.from(Settings.of(Map.of("indexer.stored-compression", "zstd"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("deflate or lz4");
  }
}
