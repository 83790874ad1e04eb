package dev.mcpaudit.index;

import java.io.IOException;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.StoredFieldsFormat;
import org.apache.lucene.codecs.StoredFieldsReader;
import org.apache.lucene.codecs.StoredFieldsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene90.DeflateWithPresetDictCompressionMode;
import org.apache.lucene.codecs.lucene90.Lucene90StoredFieldsFormat;
import org.apache.lucene.codecs.lucene90.compressing.Lucene90CompressingStoredFieldsFormat;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.SegmentInfo;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;

/**
 * Lucene's default codec with one change: how stored events are compressed.
 *
 * <p>Large segments, where nearly all of an index's events end up, use DEFLATE in 120 KB chunks
 * instead of Lucene's 480 KB. The events of one handle or one actor lie thousands of documents
 * apart (the index is sorted by time), so a page of them reads one chunk per event; DEFLATE with a
 * preset dictionary inflates the dictionary plus the sub-block (a tenth of the chunk) holding the
 * event: about 56 KB per event with Lucene's chunks, 14 KB with these. Measured on 2,000,000
 * generator events (910 B each as JSON), one thread loading 1,000 events 2,000 documents apart:
 * Lucene's chunks 64 ms p50 at 97 B/event stored, these 25 ms at 113 B/event, LZ4 7 ms at 213 B.
 *
 * <p>Segments below {@value #DEFLATE_FROM_DOCS} documents use LZ4 (Lucene's fast mode): with an
 * index sort, every flush and every merge compresses each event again, and the small segments are
 * flushed and merged most often; they hold a small share of a large index and are the newest
 * events, which LZ4 also serves faster. Measured with {@code bench/run indexer --events 2000000}:
 * raw indexing 32.7k → 40.9k events/s, Kafka → searchable 20.8k → 26.1k events/s, the index merged
 * to one segment the same 0.241 × raw JSON.
 *
 * <p>The name is written into every segment and resolved through {@code META-INF/services}; it must
 * never change meaning. Each segment records its mode in an attribute, so the threshold can change
 * without breaking readers; a segment without one was written before the LZ4 tier existed and is
 * DEFLATE.
 */
public final class EventCodec104 extends FilterCodec {
  public static final String NAME = "McpAuditEvents104";
  static final String MODE_KEY = "McpAuditStoredEvents.mode";
  static final int DEFLATE_FROM_DOCS = 1_000_000;

  private final StoredFieldsFormat storedFields;

  /**
   * Public and without arguments: Lucene instantiates codecs by name through the service loader.
   */
  public EventCodec104() {
    this(DEFLATE_FROM_DOCS);
  }

  /**
   * With another threshold, for tests: readers do not depend on it (each segment records its mode).
   */
  EventCodec104(int deflateFromDocs) {
    super(NAME, new Lucene104Codec());
    this.storedFields = new TieredStoredFields(deflateFromDocs);
  }

  @Override
  public StoredFieldsFormat storedFieldsFormat() {
    return storedFields;
  }

  /** Picks the compression per segment by its size, and reads each segment by its recorded mode. */
  private static final class TieredStoredFields extends StoredFieldsFormat {
    static final String DEFLATE = "deflate-120k";
    static final String LZ4 = "lz4";

    /**
     * Lucene's defaults for the rest: at most 4,096 documents per chunk, 1,024 chunks per index
     * block.
     */
    private final StoredFieldsFormat deflate =
        new Lucene90CompressingStoredFieldsFormat(
            "McpAuditStoredEvents",
            new DeflateWithPresetDictCompressionMode(),
            120 * 1024,
            4096,
            10);

    /** Lucene's own fast-mode parameters. */
    private final StoredFieldsFormat lz4 =
        new Lucene90CompressingStoredFieldsFormat(
            "McpAuditStoredEventsLz4",
            Lucene90StoredFieldsFormat.BEST_SPEED_MODE,
            80 * 1024,
            1024,
            10);

    private final int deflateFromDocs;

    TieredStoredFields(int deflateFromDocs) {
      this.deflateFromDocs = deflateFromDocs;
    }

    @Override
    public StoredFieldsWriter fieldsWriter(Directory directory, SegmentInfo si, IOContext context)
        throws IOException {
      String mode = maxDoc(si) >= deflateFromDocs ? DEFLATE : LZ4;
      String previous = si.putAttribute(MODE_KEY, mode);
      if (previous != null && !previous.equals(mode)) {
        throw new IllegalStateException(
            "segment " + si.name + " already has stored-fields mode " + previous + ", not " + mode);
      }
      return format(mode, si).fieldsWriter(directory, si, context);
    }

    @Override
    public StoredFieldsReader fieldsReader(
        Directory directory, SegmentInfo si, FieldInfos fn, IOContext context) throws IOException {
      String mode = si.getAttribute(MODE_KEY);
      return format(mode == null ? DEFLATE : mode, si).fieldsReader(directory, si, fn, context);
    }

    private StoredFieldsFormat format(String mode, SegmentInfo si) {
      return switch (mode) {
        case DEFLATE -> deflate;
        case LZ4 -> lz4;
        default ->
            throw new IllegalStateException(
                "segment " + si.name + " has unknown stored-fields mode " + mode);
      };
    }

    /**
     * Known when a flush or a merge writes stored fields (always so with an index sort); else
     * unknown, so small.
     */
    private static int maxDoc(SegmentInfo si) {
      try {
        return si.maxDoc();
      } catch (IllegalStateException notYetKnown) {
        return 0;
      }
    }
  }
}
