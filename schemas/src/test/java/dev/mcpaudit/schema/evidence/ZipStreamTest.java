package dev.mcpaudit.schema.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives of entries deflated as written and entries deflated elsewhere read back by the JDK. */
class ZipStreamTest {
  @TempDir Path dir;

  @Test
  void theJdksReadersReadEveryEntryBack() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    SplittableRandom random = new SplittableRandom(1);
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      big.append("{\"n\":").append(random.nextInt()).append(",\"é\":\"ü\"}\n");
    }
    files.put("empty.txt", new byte[0]);
    files.put("records.ndjson", big.toString().getBytes(StandardCharsets.UTF_8));
    files.put("proofs.ndjson", big.reverse().toString().getBytes(StandardCharsets.UTF_8));
    files.put("ünïcode.json", "{}".getBytes(StandardCharsets.UTF_8));

    Path zip = dir.resolve("a.zip");
    try (OutputStream out = Files.newOutputStream(zip)) {
      ZipStream z = new ZipStream(out, Deflater.BEST_SPEED);
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        if (f.getKey().startsWith("proofs")) {
          ByteArrayOutputStream raw = new ByteArrayOutputStream();
          try (DeflaterOutputStream d = new DeflaterOutputStream(raw, new Deflater(1, true))) {
            d.write(f.getValue());
          }
          CRC32 crc = new CRC32();
          crc.update(f.getValue());
          z.raw(
              f.getKey(),
              new ByteArrayInputStream(raw.toByteArray()),
              raw.size(),
              f.getValue().length,
              crc.getValue());
        } else {
          try (OutputStream e = z.deflated(f.getKey())) {
            e.write(f.getValue());
          }
        }
      }
      z.finish();
    }

    try (ZipFile z = new ZipFile(zip.toFile())) {
      assertThat(z.size()).isEqualTo(files.size());
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        ZipEntry e = z.getEntry(f.getKey());
        assertThat(e).as(f.getKey()).isNotNull();
        assertThat(z.getInputStream(e).readAllBytes()).isEqualTo(f.getValue());
      }
    }
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      int n = 0;
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        assertThat(in.readAllBytes()).as(e.getName()).isEqualTo(files.get(e.getName()));
        n++;
      }
      assertThat(n).isEqualTo(files.size());
    }
  }
}
