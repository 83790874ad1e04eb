package dev.mcpaudit.schema.evidence;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A bundle's proof lines, hashed and deflated on a thread of their own into a temporary file while
 * the records are written: deflating the proofs is as much work as the records (bench/run
 * evidence), so a bundle is written on two cores. Memory is a few 64 KiB chunks in flight.
 */
final class ProofsDeflater implements AutoCloseable {
  private static final int CHUNK = 64 * 1024;
  private static final byte[] END = new byte[0];

  private final Path file;
  private final BlockingQueue<byte[]> full = new ArrayBlockingQueue<>(8);
  private final BlockingQueue<byte[]> empty = new ArrayBlockingQueue<>(10);
  private final Thread worker;
  private final MessageDigest digest = MerkleHash.newDigest();
  private final CRC32 crc = new CRC32();
  private final Deflater deflater;
  private byte[] chunk = new byte[CHUNK];
  private int used;
  private long size;
  private long compressed;
  private volatile Throwable failure;
  private boolean ended;

  ProofsDeflater(Path tempDir, int level) throws IOException {
    this.file = Files.createTempFile(tempDir, "mcp-audit-bundle-", ".proofs");
    this.deflater = new Deflater(level, true);
    for (int i = 0; i < 9; i++) {
      empty.add(new byte[CHUNK]);
    }
    this.worker = Thread.ofPlatform().daemon().name("mcp-audit-bundle-proofs").start(this::run);
  }

  void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  void write(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      int n = Math.min(len, CHUNK - used);
      System.arraycopy(b, off, chunk, used, n);
      used += n;
      off += n;
      len -= n;
      if (used == CHUNK) {
        hand();
      }
    }
  }

  void write(int b) throws IOException {
    chunk[used++] = (byte) b;
    if (used == CHUNK) {
      hand();
    }
  }

  private void hand() throws IOException {
    byte[] c = used == CHUNK ? chunk : java.util.Arrays.copyOf(chunk, used);
    try {
      while (!full.offer(c, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        failed();
      }
      byte[] next = null;
      while (next == null) {
        failed();
        next = empty.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
      chunk = next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("bundle interrupted");
    }
    used = 0;
  }

  private void failed() throws IOException {
    if (failure != null) {
      throw new IOException("deflating the proofs failed", failure);
    }
  }

  /** What was written, deflated: the file, its length, and the plain size, CRC-32 and SHA-256. */
  record Done(Path file, long compressed, long size, long crc, String sha256) {}

  /** Waits until every line is deflated. */
  Done finish() throws IOException {
    if (used > 0) {
      hand();
    }
    try {
      full.put(END);
      ended = true;
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("bundle interrupted");
    }
    failed();
    return new Done(
        file, compressed, size, crc.getValue(), HexFormat.of().formatHex(digest.digest()));
  }

  private void run() {
    byte[] out = new byte[CHUNK];
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), CHUNK)) {
      while (true) {
        byte[] c = full.take();
        if (c == END) {
          break;
        }
        digest.update(c);
        crc.update(c);
        size += c.length;
        deflater.setInput(c);
        while (!deflater.needsInput()) {
          compressed += write(o, out, deflater.deflate(out));
        }
        if (c.length == CHUNK) {
          empty.offer(c);
        }
      }
      deflater.finish();
      while (!deflater.finished()) {
        compressed += write(o, out, deflater.deflate(out));
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      deflater.end();
    }
  }

  private static int write(OutputStream o, byte[] b, int n) throws IOException {
    o.write(b, 0, n);
    return n;
  }

  /** Stops the thread if it still runs, and deletes the file. */
  @Override
  public void close() throws IOException {
    if (!ended) {
      worker.interrupt();
      try {
        worker.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Files.deleteIfExists(file);
  }
}
