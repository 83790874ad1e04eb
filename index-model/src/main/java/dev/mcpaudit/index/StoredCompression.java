package dev.mcpaudit.index;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;

/**
 * How stored events are compressed. DEFLATE: {@link EventCodec104}'s small DEFLATE chunks in large
 * segments (the size target, and pages of far-apart events fast enough) and LZ4 in the small, often
 * rewritten ones. LZ4: every segment, about three times faster loads for twice the stored bytes.
 * Per segment: switching applies to new segments and to merges.
 */
public enum StoredCompression {
  DEFLATE {
    @Override
    public Codec codec() {
      return new EventCodec104();
    }
  },
  LZ4 {
    @Override
    public Codec codec() {
      return new Lucene104Codec(Lucene104Codec.Mode.BEST_SPEED);
    }
  };

  /** The codec new segments are written with. */
  public abstract Codec codec();
}
