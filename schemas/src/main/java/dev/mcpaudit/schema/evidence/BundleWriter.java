package dev.mcpaudit.schema.evidence;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;

/**
 * Writes an evidence bundle ({@link Bundle}) as a stream, in constant memory: small files first,
 * then one record at a time. The records and their proofs are two files of one archive, written
 * side by side: the proofs are deflated on a second thread into a temporary file while the records
 * are written, then follow them whole; the manifest, with every file's SHA-256, comes last and is
 * signed.
 */
public final class BundleWriter implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] INCLUSION = Bundle.utf8(",\"inclusion\":[");
  private static final Base64.Encoder B64 = Base64.getEncoder();

  private final ZipStream zip;
  private final ObjectNode files = JSON.createObjectNode();
  private final ProofsDeflater proofs;
  private final MessageDigest digest = MerkleHash.newDigest();
  private OutputStream entry;
  private final byte[] hashText = new byte[44];
  private String open;
  private long openBytes;
  private long records;
  private boolean recordsDone;

  /**
   * @param out where the archive goes (not closed)
   * @param tempDir where the proofs wait while the records are written (the file is deleted on
   *     {@link #close})
   */
  public BundleWriter(OutputStream out, Path tempDir) throws IOException {
    // Records and proofs compress about 4:1 at the fastest level; higher levels cost more time
    // than they save bytes (bench/run evidence).
    this.zip = new ZipStream(out, Deflater.BEST_SPEED);
    this.proofs = new ProofsDeflater(tempDir, Deflater.BEST_SPEED);
  }

  /** A whole small file; only before the first record. */
  public void file(String name, byte[] content) throws IOException {
    if (records > 0 || recordsDone) {
      throw new IllegalStateException(name + " must come before the records");
    }
    begin(name);
    write(content, 0, content.length);
    end();
  }

  /**
   * One record as stored and its proof line: its log (partition), leaf, provenance and, in a
   * filtered bundle, its inclusion path (null in a range bundle, whose range proves them all).
   */
  public void record(
      byte[] stored, int partition, long leaf, String kind, String by, List<byte[]> inclusion)
      throws IOException {
    if (recordsDone) {
      throw new IllegalStateException("the records are finished");
    }
    if (open == null) {
      begin(Bundle.RECORDS);
    }
    boolean oneLine = true;
    for (byte b : stored) {
      if (b == '\n' || b == '\r') {
        oneLine = false;
        break;
      }
    }
    // A line of NDJSON cannot hold a line break; JSON has them only as whitespace, so such a record
    // is written compact and its proof line carries the exact bytes its leaf is made of.
    byte[] line = oneLine ? stored : JSON.writeValueAsBytes(JSON.readTree(stored));
    write(line, 0, line.length);
    write(NEWLINE, 0, 1);
    records++;

    StringBuilder p = new StringBuilder(96);
    p.append("{\"partition\":").append(partition).append(",\"leaf_index\":").append(leaf);
    p.append(",\"provenance\":{\"kind\":");
    quote(p, kind == null ? "kafka" : kind);
    p.append(",\"by\":");
    if (by == null) {
      p.append("null");
    } else {
      quote(p, by);
    }
    p.append('}');
    if (!oneLine) {
      p.append(",\"stored\":\"").append(B64.encodeToString(stored)).append('"');
    }
    proofs.write(Bundle.utf8(p.toString()));
    if (inclusion != null) {
      proofs.write(INCLUSION);
      for (int i = 0; i < inclusion.size(); i++) {
        if (i > 0) {
          proofs.write(',');
        }
        proofs.write('"');
        B64.encode(inclusion.get(i), hashText);
        proofs.write(hashText);
        proofs.write('"');
      }
      proofs.write(']');
    }
    proofs.write('}');
    proofs.write('\n');
  }

  public long records() {
    return records;
  }

  /**
   * Ends the records, adds the proofs, then the manifest ({@code manifest} with {@code files} and
   * {@code records} added) and its signature by {@code key}; the archive is complete after this.
   */
  public void finish(ObjectNode manifest, SigningKey key) throws IOException {
    if (open == null) {
      begin(Bundle.RECORDS);
    }
    end();
    recordsDone = true;
    ProofsDeflater.Done p = proofs.finish();
    try (InputStream in = Files.newInputStream(p.file())) {
      zip.raw(
          Bundle.PROOFS,
          new java.io.BufferedInputStream(in, 64 * 1024),
          p.compressed(),
          p.size(),
          p.crc());
    }
    files.putObject(Bundle.PROOFS).put("sha256", p.sha256()).put("bytes", p.size());
    manifest.put("format", Bundle.FORMAT);
    manifest.put("records", records);
    manifest.set("files", files);
    byte[] m = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
    begin(Bundle.MANIFEST);
    write(m, 0, m.length);
    end();
    byte[] sig = Bundle.utf8(key.sign(Bundle.signedText(m)));
    begin(Bundle.SIGNATURE);
    write(sig, 0, sig.length);
    end();
    zip.finish();
  }

  private static final byte[] NEWLINE = {'\n'};

  private void begin(String name) throws IOException {
    entry = zip.deflated(name);
    open = name;
    openBytes = 0;
    digest.reset();
  }

  private void write(byte[] b, int off, int len) throws IOException {
    entry.write(b, off, len);
    digest.update(b, off, len);
    openBytes += len;
  }

  private void end() throws IOException {
    entry.close();
    if (!Bundle.SIGNATURE.equals(open) && !Bundle.MANIFEST.equals(open)) {
      ObjectNode f = files.putObject(open);
      f.put("sha256", HexFormat.of().formatHex(digest.digest()));
      f.put("bytes", openBytes);
    }
    open = null;
  }

  private static void quote(StringBuilder out, String s) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, out);
    out.append('"');
  }

  /** Stops the proofs' thread and deletes their file; the archive's stream is the caller's. */
  @Override
  public void close() throws IOException {
    proofs.close();
  }
}
