package dev.mcpaudit.collector.http;

import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads a request body within limits: the wire bytes and, for gzip, the inflated bytes are both
 * capped, so neither a large upload nor a small gzip bomb can take the heap.
 */
final class RequestBody {
  enum Format {
    JSON,
    NDJSON
  }

  private RequestBody() {}

  static Format format(String contentType) {
    String base =
        contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (contentType != null
        && contentType.toLowerCase(Locale.ROOT).contains("charset=")
        && !contentType.toLowerCase(Locale.ROOT).replace(" ", "").contains("charset=utf-8")) {
      throw unsupported("events are UTF-8 JSON; got " + contentType);
    }
    return switch (base) {
      case "application/json" -> Format.JSON;
      case "application/x-ndjson", "application/ndjson", "application/jsonl" -> Format.NDJSON;
      default ->
          throw unsupported(
              "send Content-Type application/json (one event or an array) or application/x-ndjson"
                  + (base.isEmpty() ? "" : "; got " + base));
    };
  }

  /**
   * Most bytes of a refused body read and dropped before the refusal is sent: an HTTP/1.1 client
   * reads the answer only once it has sent its body, so a server that answers and closes mid-upload
   * leaves it with a broken pipe instead of the 413. Past this, the connection is cut.
   */
  static final long DRAIN_MAX = 16L << 20;

  static byte[] read(InputStream wire, String contentEncoding, long contentLength, long limit) {
    if (contentLength > limit) {
      drain(wire, contentLength);
      throw tooLarge(limit);
    }
    String enc =
        contentEncoding == null ? "identity" : contentEncoding.strip().toLowerCase(Locale.ROOT);
    try {
      InputStream capped = new CappedStream(wire, limit);
      InputStream in =
          switch (enc) {
            case "identity", "" -> capped;
            case "gzip", "x-gzip" -> new GZIPInputStream(capped, 8192);
            default -> throw unsupported("Content-Encoding may be gzip or identity; got " + enc);
          };
      return readCapped(in, limit);
    } catch (ZipException | java.io.EOFException e) {
      throw ProblemException.badRequest("the body is not valid gzip: " + e.getMessage());
    } catch (TooLarge e) {
      drain(wire, DRAIN_MAX);
      throw tooLarge(limit);
    } catch (IOException e) {
      throw ProblemException.badRequest("the body could not be read: " + e.getMessage());
    }
  }

  private static byte[] readCapped(InputStream in, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
    byte[] buf = new byte[16384];
    long total = 0;
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      total += n;
      if (total > limit) {
        throw new TooLarge();
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** Reads and drops what is left of a refused body, up to {@link #DRAIN_MAX} bytes. */
  private static void drain(InputStream wire, long announced) {
    long left = Math.min(announced < 0 ? DRAIN_MAX : announced, DRAIN_MAX);
    byte[] buf = new byte[16384];
    try {
      while (left > 0) {
        int n = wire.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          return;
        }
        left -= n;
      }
    } catch (IOException e) {
      // the client went away: nothing left to answer
    }
  }

  private static ProblemException tooLarge(long limit) {
    return new ProblemException(
        Problem.of(
            413,
            "Content Too Large",
            "the body is larger than "
                + limit
                + " bytes (after decompression too); send smaller batches"),
        Map.of());
  }

  private static ProblemException unsupported(String detail) {
    return new ProblemException(Problem.of(415, "Unsupported Media Type", detail), Map.of());
  }

  private static final class TooLarge extends IOException {
    TooLarge() {
      super("too large", null);
    }
  }

  /** Fails once more than {@code limit} wire bytes were read. */
  private static final class CappedStream extends java.io.FilterInputStream {
    private final long limit;
    private long read;

    CappedStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && ++read > limit) {
        throw new TooLarge();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0 && (read += n) > limit) {
        throw new TooLarge();
      }
      return n;
    }
  }
}
