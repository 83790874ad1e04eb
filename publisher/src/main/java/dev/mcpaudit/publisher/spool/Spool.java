package dev.mcpaudit.publisher.spool;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable, ordered, append-only queue of Kafka records on local disk: the write-ahead log of
 * {@code DecisionPublisher}. Every record is appended here before it is sent, so order is the
 * spool's order and nothing the process accepted is lost if it dies or Kafka is away.
 *
 * <p>Layout: segment files {@code <first seq, 20 digits>.seg} and a {@code checkpoint} file holding
 * the first sequence not yet acknowledged by Kafka. Record: magic byte, payload length (int),
 * CRC32C of sequence and payload (int), sequence (long), payload = key length (short), key bytes
 * (UTF-8), value bytes. A torn record at the tail (crash mid-write) is cut off on open; a corrupt
 * record elsewhere ends the reading of its segment and is counted, never sent.
 */
public final class Spool implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);
  static final byte MAGIC = 0x5D;
  static final int HEADER = 1 + 4 + 4 + 8;
  private static final String SUFFIX = ".seg";
  private static final long CHECKPOINT_EVERY_NANOS = 200_000_000L;

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final FsyncPolicy fsync;
  private final List<Segment> segments = new ArrayList<>();
  private final TreeSet<Long> ackedAhead = new TreeSet<>();
  private long nextSeq;
  private long firstUnacked;
  private long checkpointWrittenAt;
  private long checkpointWritten = -1;
  private long lastForce = System.nanoTime();
  private long corruptRecords;
  private boolean dirty;

  private Spool(Path dir, long maxBytes, long segmentBytes, FsyncPolicy fsync) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
  }

  /** Opens (or creates) the spool in {@code dir}, recovering what a previous process left. */
  public static Spool open(Path dir, long maxBytes, long segmentBytes, FsyncPolicy fsync) {
    if (segmentBytes < 1024 || maxBytes < segmentBytes) {
      throw new IllegalArgumentException(
          "spool needs segmentBytes >= 1 KiB and maxBytes >= segmentBytes");
    }
    Spool s = new Spool(dir, maxBytes, segmentBytes, fsync);
    try {
      Files.createDirectories(dir);
      s.recover();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open spool " + dir, e);
    }
    return s;
  }

  private void recover() throws IOException {
    Path cp = dir.resolve("checkpoint");
    long checkpoint = Files.exists(cp) ? Long.parseLong(Files.readString(cp).strip()) : 0L;
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      segments.add(
          new Segment(f, Long.parseLong(name.substring(0, name.length() - SUFFIX.length()))));
    }
    nextSeq = checkpoint;
    if (!segments.isEmpty()) {
      Segment tail = segments.get(segments.size() - 1);
      long[] scan = scanTail(tail);
      nextSeq = Math.max(checkpoint, scan[0]);
      if (scan[1] < tail.size) {
        log.warn(
            "spool tail cut segment={} kept_bytes={} dropped_bytes={}",
            tail.path,
            scan[1],
            tail.size - scan[1]);
        tail.truncate(scan[1]);
      }
    }
    firstUnacked = checkpoint;
    checkpointWritten = checkpoint;
    dropAckedSegments();
    if (pendingRecords() > 0) {
      log.info(
          "spool recovered dir={} pending_records={} bytes={}", dir, pendingRecords(), bytes());
    }
  }

  /** Returns {next sequence after the last good record, byte length of the good prefix}. */
  private long[] scanTail(Segment seg) throws IOException {
    long pos = 0;
    long next = seg.firstSeq;
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    while (true) {
      header.clear();
      if (seg.channel.read(header, pos) < HEADER) {
        break;
      }
      header.flip();
      if (header.get() != MAGIC) {
        break;
      }
      int len = header.getInt();
      int crc = header.getInt();
      long seq = header.getLong();
      if (len < 2 || pos + HEADER + len > seg.size) {
        break;
      }
      ByteBuffer payload = ByteBuffer.allocate(len);
      seg.channel.read(payload, pos + HEADER);
      boolean last = pos + HEADER + len == seg.size;
      if (crc(seq, payload.array()) != crc && last) {
        break; // a half-written last record: the crash happened mid-append
      }
      // A bad checksum before the end is corruption, not a crash: the reader skips and counts it.
      next = Math.max(next, seq + 1);
      pos += HEADER + len;
    }
    return new long[] {next, pos};
  }

  /** Appends one record; fails fast with {@link SpoolFullException} when the limit is reached. */
  public synchronized long append(String key, byte[] value) {
    byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
    if (k.length > Short.MAX_VALUE) {
      throw new IllegalArgumentException("key longer than 32767 bytes");
    }
    int len = 2 + k.length + value.length;
    long total = bytes();
    if (total + HEADER + len > maxBytes) {
      throw new SpoolFullException(
          "spool "
              + dir
              + " is full: "
              + total
              + " of "
              + maxBytes
              + " bytes hold "
              + pendingRecords()
              + " records Kafka has not acknowledged yet");
    }
    try {
      Segment seg = activeSegment(HEADER + len);
      long seq = nextSeq;
      ByteBuffer payload = ByteBuffer.allocate(len);
      payload.putShort((short) k.length).put(k).put(value);
      ByteBuffer rec = ByteBuffer.allocate(HEADER + len);
      rec.put(MAGIC)
          .putInt(len)
          .putInt(crc(seq, payload.array()))
          .putLong(seq)
          .put(payload.array())
          .flip();
      seg.write(rec);
      nextSeq = seq + 1;
      dirty = true;
      if (fsync == FsyncPolicy.ALWAYS) {
        seg.channel.force(false);
        dirty = false;
      }
      return seq;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to spool " + dir, e);
    }
  }

  private Segment activeSegment(int recordBytes) throws IOException {
    Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
    if (last == null || (last.size > 0 && last.size + recordBytes > segmentBytes)) {
      if (last != null) {
        last.channel.force(false);
      }
      Path p = dir.resolve(String.format("%020d%s", nextSeq, SUFFIX));
      last = new Segment(p, nextSeq);
      segments.add(last);
    }
    return last;
  }

  /** Forces appended records to disk if the policy asks for it now; call it periodically. */
  public synchronized void maybeForce(long intervalNanos) {
    if (!dirty || fsync == FsyncPolicy.NEVER || segments.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastForce >= intervalNanos) {
      force();
      lastForce = now;
    }
  }

  public synchronized void force() {
    if (segments.isEmpty()) {
      return;
    }
    try {
      segments.get(segments.size() - 1).channel.force(false);
      dirty = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot force spool " + dir, e);
    }
  }

  /** Marks a record as acknowledged by Kafka (in any order); frees segments that are done. */
  public synchronized void ack(long seq) {
    if (seq < firstUnacked) {
      return;
    }
    if (seq == firstUnacked) {
      firstUnacked++;
      while (!ackedAhead.isEmpty() && ackedAhead.first() == firstUnacked) {
        ackedAhead.pollFirst();
        firstUnacked++;
      }
      dropAckedSegments();
      maybeCheckpoint(false);
    } else {
      ackedAhead.add(seq);
    }
  }

  public synchronized boolean isAcked(long seq) {
    return seq < firstUnacked || ackedAhead.contains(seq);
  }

  /** The first record Kafka has not acknowledged: where sending resumes after a failure. */
  public synchronized long firstUnacked() {
    return firstUnacked;
  }

  public synchronized long nextSeq() {
    return nextSeq;
  }

  public synchronized long pendingRecords() {
    return nextSeq - firstUnacked - ackedAhead.size();
  }

  public synchronized long bytes() {
    long b = 0;
    for (Segment s : segments) {
      b += s.size;
    }
    return b;
  }

  public synchronized long corruptRecords() {
    return corruptRecords;
  }

  /**
   * Reads the record with sequence {@code seq} or the first good one after it; null when nothing at
   * or after {@code seq} has been appended yet.
   */
  public SpoolRecord read(long seq, Cursor cursor) {
    Segment seg;
    long limit;
    synchronized (this) {
      if (seq >= nextSeq) {
        return null;
      }
      seg = segmentFor(seq);
      if (seg == null) {
        return null;
      }
      limit = seg.size;
      if (cursor.segment != seg || cursor.nextSeq != seq) {
        cursor.reset(seg);
      }
    }
    try {
      while (true) {
        if (cursor.position + HEADER > limit) {
          // End of this segment: continue in the next one, if there is one.
          Segment next;
          synchronized (this) {
            int i = segments.indexOf(seg);
            if (i < 0 || i + 1 >= segments.size()) {
              return null;
            }
            next = segments.get(i + 1);
            limit = next.size;
          }
          seg = next;
          cursor.reset(seg);
          continue;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        seg.channel.read(header, cursor.position);
        header.flip();
        byte magic = header.get();
        int len = header.getInt();
        int crc = header.getInt();
        long recSeq = header.getLong();
        if (magic != MAGIC || len < 2 || cursor.position + HEADER + len > limit) {
          skipCorrupt(seg, cursor);
          limit = cursor.position;
          continue;
        }
        ByteBuffer payload = ByteBuffer.allocate(len);
        seg.channel.read(payload, cursor.position + HEADER);
        byte[] p = payload.array();
        cursor.position += HEADER + len;
        if (crc(recSeq, p) != crc) {
          // The frame is intact but its content is not: skip exactly this record.
          countCorrupt(seg, cursor.position - HEADER - len);
          continue;
        }
        cursor.nextSeq = recSeq + 1;
        if (recSeq < seq) {
          continue;
        }
        int kLen = ((p[0] & 0xff) << 8) | (p[1] & 0xff);
        String key = kLen == 0 ? null : new String(p, 2, kLen, StandardCharsets.UTF_8);
        byte[] value = new byte[p.length - 2 - kLen];
        System.arraycopy(p, 2 + kLen, value, 0, value.length);
        return new SpoolRecord(recSeq, key, value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read spool " + dir, e);
    }
  }

  private synchronized void skipCorrupt(Segment seg, Cursor cursor) {
    corruptRecords++;
    log.error(
        "spool frame corrupt segment={} position={}; the rest of the segment is skipped",
        seg.path,
        cursor.position);
    cursor.position = Long.MAX_VALUE / 2;
  }

  private synchronized void countCorrupt(Segment seg, long position) {
    corruptRecords++;
    log.error(
        "spool record checksum mismatch segment={} position={}; record skipped",
        seg.path,
        position);
  }

  private Segment segmentFor(long seq) {
    Segment found = null;
    for (Segment s : segments) {
      if (s.firstSeq <= seq) {
        found = s;
      } else {
        break;
      }
    }
    return found != null ? found : (segments.isEmpty() ? null : segments.get(0));
  }

  private void dropAckedSegments() {
    // A segment is done when the next one starts at or before the first unacknowledged record.
    while (segments.size() > 1 && segments.get(1).firstSeq <= firstUnacked) {
      Segment done = segments.remove(0);
      done.delete();
    }
    if (segments.size() == 1 && firstUnacked >= nextSeq && segments.get(0).size > 0) {
      // Everything sent: start the next append in a fresh segment and drop this one.
      segments.remove(0).delete();
    }
  }

  private void maybeCheckpoint(boolean force) {
    long now = System.nanoTime();
    if (checkpointWritten == firstUnacked
        || (!force && now - checkpointWrittenAt < CHECKPOINT_EVERY_NANOS)) {
      return;
    }
    try {
      Path tmp = dir.resolve("checkpoint.tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ch.write(ByteBuffer.wrap((firstUnacked + "\n").getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      Files.move(
          tmp,
          dir.resolve("checkpoint"),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      checkpointWritten = firstUnacked;
      checkpointWrittenAt = now;
    } catch (IOException e) {
      log.warn("spool checkpoint not written dir={} error={}", dir, e.toString());
    }
  }

  /** Writes the checkpoint now (at shutdown, and by the sender when it is idle). */
  public synchronized void checkpoint() {
    maybeCheckpoint(true);
  }

  @Override
  public synchronized void close() {
    force();
    maybeCheckpoint(true);
    for (Segment s : segments) {
      s.close();
    }
    segments.clear();
  }

  static int crc(long seq, byte[] payload) {
    CRC32C c = new CRC32C();
    ByteBuffer b = ByteBuffer.allocate(8).putLong(0, seq);
    c.update(b);
    c.update(payload);
    return (int) c.getValue();
  }

  /** A reader's position; one per reading thread. */
  public static final class Cursor {
    private Segment segment;
    private long position;
    private long nextSeq = -1;

    private void reset(Segment seg) {
      segment = seg;
      position = 0;
      nextSeq = seg.firstSeq;
    }
  }

  private static final class Segment {
    final Path path;
    final long firstSeq;
    final FileChannel channel;
    volatile long size;

    Segment(Path path, long firstSeq) throws IOException {
      this.path = path;
      this.firstSeq = firstSeq;
      this.channel =
          FileChannel.open(
              path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      this.size = channel.size();
    }

    void write(ByteBuffer rec) throws IOException {
      long at = size;
      while (rec.hasRemaining()) {
        at += channel.write(rec, at);
      }
      size = at;
    }

    void truncate(long to) throws IOException {
      channel.truncate(to);
      channel.force(true);
      size = to;
    }

    void close() {
      try {
        channel.close();
      } catch (IOException e) {
        // closing a read/write channel of a file we are done with; nothing to recover
      }
    }

    void delete() {
      close();
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        log.warn("spool segment not deleted path={} error={}", path, e.toString());
      }
    }
  }
}
