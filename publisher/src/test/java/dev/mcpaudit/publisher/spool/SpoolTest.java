package dev.mcpaudit.publisher.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  @TempDir Path dir;

  Spool open() {
    return Spool.open(dir, 64 * 1024, 4 * 1024, FsyncPolicy.NEVER);
  }

  static byte[] value(int i) {
    return ("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(100) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static List<SpoolRecord> readFrom(Spool s, long seq) {
    List<SpoolRecord> out = new ArrayList<>();
    Spool.Cursor c = new Spool.Cursor();
    for (SpoolRecord r = s.read(seq, c); r != null; r = s.read(r.seq() + 1, c)) {
      out.add(r);
    }
    return out;
  }

  long segmentFiles() throws IOException {
    try (Stream<Path> l = Files.list(dir)) {
      return l.filter(p -> p.toString().endsWith(".seg")).count();
    }
  }

  /** Writes ten records into one segment file and returns it. */
  Path tenRecordsInOneSegment() throws IOException {
    try (Spool s = Spool.open(dir, 1 << 20, 1 << 20, FsyncPolicy.NEVER)) {
      for (int i = 0; i < 10; i++) {
        s.append("k", value(i));
      }
    }
    try (Stream<Path> l = Files.list(dir)) {
      return l.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
  }

  @Test
  void readsBackInOrderAcrossSegments() throws IOException {
    try (Spool s = open()) {
      for (int i = 0; i < 200; i++) {
        assertThat(s.append("k" + (i % 7), value(i))).isEqualTo(i);
      }
      assertThat(segmentFiles()).isGreaterThan(3);
      List<SpoolRecord> all = readFrom(s, 0);
      assertThat(all).hasSize(200);
      for (int i = 0; i < 200; i++) {
        assertThat(all.get(i).seq()).isEqualTo(i);
        assertThat(all.get(i).key()).isEqualTo("k" + (i % 7));
        assertThat(all.get(i).value()).isEqualTo(value(i));
      }
      assertThat(readFrom(s, 150)).hasSize(50).first().extracting(SpoolRecord::seq).isEqualTo(150L);
    }
  }

  @Test
  void outOfOrderAcksFreeWholeSegmentsOnly() throws IOException {
    try (Spool s = open()) {
      for (int i = 0; i < 200; i++) {
        s.append("k", value(i));
      }
      long before = segmentFiles();
      for (int i = 199; i >= 1; i--) {
        s.ack(i);
      }
      assertThat(s.firstUnacked()).isZero();
      assertThat(s.pendingRecords()).isEqualTo(1);
      assertThat(segmentFiles()).isEqualTo(before);
      s.ack(0);
      assertThat(s.firstUnacked()).isEqualTo(200);
      assertThat(s.pendingRecords()).isZero();
      assertThat(segmentFiles()).isZero();
      assertThat(s.bytes()).isZero();
    }
  }

  @Test
  void reopenedSpoolHoldsExactlyTheUnacknowledgedRecords() {
    try (Spool s = open()) {
      for (int i = 0; i < 100; i++) {
        s.append("k", value(i));
      }
      for (int i = 0; i < 60; i++) {
        s.ack(i);
      }
    }
    try (Spool s = open()) {
      assertThat(s.firstUnacked()).isEqualTo(60);
      assertThat(s.pendingRecords()).isEqualTo(40);
      List<SpoolRecord> rest = readFrom(s, s.firstUnacked());
      assertThat(rest)
          .extracting(SpoolRecord::seq)
          .containsExactlyElementsOf(java.util.stream.LongStream.range(60, 100).boxed().toList());
      assertThat(s.append("k", value(100))).isEqualTo(100);
    }
  }

  @Test
  void tornTailFromACrashIsCutOff() throws IOException {
    Path seg = tenRecordsInOneSegment();
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(f.length() - 7); // the last record was half written
    }
    try (Spool s = Spool.open(dir, 1 << 20, 1 << 20, FsyncPolicy.NEVER)) {
      assertThat(readFrom(s, 0)).hasSize(9);
      assertThat(s.append("k", value(99))).isEqualTo(9);
      assertThat(readFrom(s, 0))
          .hasSize(10)
          .last()
          .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
          .asString()
          .contains("\"n\":99");
    }
  }

  @Test
  void corruptRecordIsNeverSentAndIsCounted() throws IOException {
    Path seg = tenRecordsInOneSegment();
    int recordLength = Spool.HEADER + 2 + 1 + value(0).length;
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(3L * recordLength + Spool.HEADER + 10); // flip a byte inside record 3's value
      int b = f.read();
      f.seek(3L * recordLength + Spool.HEADER + 10);
      f.write(b ^ 0x55);
    }
    try (Spool s = Spool.open(dir, 1 << 20, 1 << 20, FsyncPolicy.NEVER)) {
      List<SpoolRecord> read = readFrom(s, 0);
      assertThat(read)
          .extracting(SpoolRecord::seq)
          .containsExactly(0L, 1L, 2L, 4L, 5L, 6L, 7L, 8L, 9L);
      assertThat(s.corruptRecords()).isEqualTo(1);
    }
  }

  @Test
  void fullSpoolFailsFastAndSaysWhy() {
    try (Spool s = Spool.open(dir, 8 * 1024, 4 * 1024, FsyncPolicy.NEVER)) {
      int n = 0;
      while (true) {
        try {
          s.append("k", value(n));
          n++;
        } catch (SpoolFullException e) {
          assertThat(e.getMessage()).contains("is full", "records Kafka has not acknowledged");
          break;
        }
      }
      assertThat(n).isBetween(40, 70);
      for (int i = 0; i < n; i++) {
        s.ack(i);
      }
      s.append("k", value(0)); // room again once Kafka took them
      assertThatThrownBy(() -> s.append("k", new byte[9 * 1024]))
          .isInstanceOf(SpoolFullException.class);
    }
  }
}
