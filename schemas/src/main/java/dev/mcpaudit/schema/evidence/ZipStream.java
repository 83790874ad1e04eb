package dev.mcpaudit.schema.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A ZIP archive written front to back to any stream (an HTTP response), with entries deflated here
 * as they are written, or deflated elsewhere and added whole: what lets a bundle's proofs be
 * compressed on a second thread while its records are written ({@link BundleWriter}). Entries
 * written here are laid out as the JDK's {@code ZipOutputStream} lays them out (sizes in a data
 * descriptor after the data, 8-byte sizes there and ZIP64 fields in the central directory only past
 * 4 GiB), so every reader of the JDK's archives reads these (APPNOTE 6.3.10, sections 4.3 and 4.5).
 */
final class ZipStream {
  private static final long MAX32 = 0xFFFFFFFFL;
  private static final int FLAG_DESCRIPTOR = 1 << 3;
  private static final int FLAG_UTF8 = 1 << 11;
  private static final int DEFLATED = 8;

  private final Counting out;
  private final int level;
  private final List<Entry> entries = new ArrayList<>();
  private boolean open;

  /** One entry as the central directory names it. */
  private record Entry(byte[] name, int flags, long crc, long compressed, long size, long offset) {}

  ZipStream(OutputStream out, int level) {
    this.out = new Counting(out);
    this.level = level;
  }

  /** A new entry, deflated as written; closing the returned stream ends it. */
  OutputStream deflated(String name) throws IOException {
    if (open) {
      throw new IllegalStateException("an entry is still open");
    }
    open = true;
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    long offset = out.count;
    int flags = FLAG_DESCRIPTOR | FLAG_UTF8;
    localHeader(n, flags, 0, 0, 0, false);
    Deflater deflater = new Deflater(level, true);
    CRC32 crc = new CRC32();
    return new OutputStream() {
      private final byte[] buf = new byte[64 * 1024];
      private long size;
      private boolean closed;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return;
        }
        crc.update(b, off, len);
        size += len;
        deflater.setInput(b, off, len);
        while (!deflater.needsInput()) {
          drain();
        }
      }

      private void drain() throws IOException {
        int n = deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
        if (n > 0) {
          out.write(buf, 0, n);
        }
      }

      @Override
      public void close() throws IOException {
        if (closed) {
          return;
        }
        closed = true;
        deflater.finish();
        while (!deflater.finished()) {
          drain();
        }
        long compressed = deflater.getBytesWritten();
        deflater.end();
        boolean zip64 = compressed >= MAX32 || size >= MAX32;
        Le d = new Le();
        d.i32(0x08074b50).i32(crc.getValue());
        if (zip64) {
          d.i64(compressed).i64(size);
        } else {
          d.i32(compressed).i32(size);
        }
        out.write(d.bytes());
        entries.add(new Entry(n, flags, crc.getValue(), compressed, size, offset));
        open = false;
      }
    };
  }

  /**
   * An entry deflated elsewhere (raw DEFLATE, no zlib wrapper): {@code compressed} bytes of {@code
   * data} that inflate to {@code size} bytes with CRC-32 {@code crc}.
   */
  void raw(String name, InputStream data, long compressed, long size, long crc) throws IOException {
    if (open) {
      throw new IllegalStateException("an entry is still open");
    }
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    long offset = out.count;
    boolean zip64 = compressed >= MAX32 || size >= MAX32;
    localHeader(n, FLAG_UTF8, crc, compressed, size, zip64);
    long copied = data.transferTo(out);
    if (copied != compressed) {
      throw new IOException(name + ": " + copied + " bytes of data, " + compressed + " announced");
    }
    entries.add(new Entry(n, FLAG_UTF8, crc, compressed, size, offset));
  }

  /** The central directory and its end; the archive is complete after this. */
  void finish() throws IOException {
    long start = out.count;
    for (Entry e : entries) {
      boolean bigSize = e.size >= MAX32;
      boolean bigCompressed = e.compressed >= MAX32;
      boolean bigOffset = e.offset >= MAX32;
      Le extra = new Le();
      if (bigSize || bigCompressed || bigOffset) {
        Le fields = new Le();
        if (bigSize) {
          fields.i64(e.size);
        }
        if (bigCompressed) {
          fields.i64(e.compressed);
        }
        if (bigOffset) {
          fields.i64(e.offset);
        }
        byte[] f = fields.bytes();
        extra.i16(0x0001).i16(f.length).raw(f);
      }
      byte[] x = extra.bytes();
      int version = x.length > 0 ? 45 : 20;
      Le c = new Le();
      c.i32(0x02014b50).i16(version).i16(version).i16(e.flags).i16(DEFLATED);
      c.i16(0).i16(0x21); // time 00:00, date 1980-01-01: a bundle's time is in its manifest
      c.i32(e.crc).i32(bigCompressed ? MAX32 : e.compressed).i32(bigSize ? MAX32 : e.size);
      c.i16(e.name.length).i16(x.length).i16(0).i16(0).i16(0).i32(0);
      c.i32(bigOffset ? MAX32 : e.offset).raw(e.name).raw(x);
      out.write(c.bytes());
    }
    long end = out.count;
    long dirSize = end - start;
    int count = entries.size();
    if (count >= 0xFFFF || dirSize >= MAX32 || start >= MAX32) {
      Le z = new Le();
      z.i32(0x06064b50).i64(44).i16(45).i16(45).i32(0).i32(0);
      z.i64(count).i64(count).i64(dirSize).i64(start);
      z.i32(0x07064b50).i32(0).i64(end).i32(1);
      out.write(z.bytes());
    }
    Le eocd = new Le();
    eocd.i32(0x06054b50).i16(0).i16(0);
    eocd.i16(Math.min(count, 0xFFFF)).i16(Math.min(count, 0xFFFF));
    eocd.i32(Math.min(dirSize, MAX32)).i32(Math.min(start, MAX32)).i16(0);
    out.write(eocd.bytes());
    out.flush();
  }

  private void localHeader(
      byte[] name, int flags, long crc, long compressed, long size, boolean zip64)
      throws IOException {
    Le h = new Le();
    h.i32(0x04034b50).i16(zip64 ? 45 : 20).i16(flags).i16(DEFLATED).i16(0).i16(0x21);
    if (zip64) {
      h.i32(crc).i32(MAX32).i32(MAX32).i16(name.length).i16(20).raw(name);
      h.i16(0x0001).i16(16).i64(size).i64(compressed);
    } else {
      h.i32(crc).i32(compressed).i32(size).i16(name.length).i16(0).raw(name);
    }
    out.write(h.bytes());
  }

  /** Little-endian fields. */
  private static final class Le {
    private final java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(64);

    Le i16(int v) {
      b.write(v);
      b.write(v >>> 8);
      return this;
    }

    Le i32(long v) {
      for (int i = 0; i < 4; i++) {
        b.write((int) (v >>> (8 * i)));
      }
      return this;
    }

    Le i64(long v) {
      for (int i = 0; i < 8; i++) {
        b.write((int) (v >>> (8 * i)));
      }
      return this;
    }

    Le raw(byte[] bytes) {
      b.writeBytes(bytes);
      return this;
    }

    byte[] bytes() {
      return b.toByteArray();
    }
  }

  /** The archive's stream, counting bytes for the entries' offsets. */
  private static final class Counting extends OutputStream {
    private final OutputStream out;
    long count;

    Counting(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }
  }
}
