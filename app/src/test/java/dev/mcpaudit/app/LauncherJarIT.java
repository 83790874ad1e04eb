package dev.mcpaudit.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as a user runs it: a separate JVM, `java -jar app/target/mcp-audit.jar`. */
class LauncherJarIT {
  static final Path JAR = Path.of("target/mcp-audit.jar");

  @TempDir Path dir;

  record Result(int exit, String out, String err) {}

  static Result run(String maxHeap, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + maxHeap,
                "-jar",
                JAR.toString()));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("jar-out", ".txt");
    Path err = Files.createTempFile("jar-err", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("jar finished").isTrue();
    return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void validatesTheExamples() throws Exception {
    List<String> valid;
    List<String> invalid;
    try (var v = Files.list(Path.of("../schemas/examples/valid"));
        var i = Files.list(Path.of("../schemas/examples/invalid"))) {
      valid = v.map(Path::toString).toList();
      invalid = i.map(Path::toString).toList();
    }
    Result ok = run("128m", concat("validate", valid));
    assertThat(ok.exit()).as(ok.err()).isZero();
    Result bad = run("128m", concat("validate", invalid));
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.out().lines())
        .hasSize(invalid.size())
        .allMatch(l -> l.matches("^\\S+\\.json:\\d+: .+: .+$"));
  }

  /** Streams: 200k events (~180 MB) through a 64 MiB heap; a reader that buffered would die. */
  @Test
  void validatesALargeNdjsonFileInConstantMemory() throws Exception {
    String line =
        Files.readString(Path.of("../schemas/examples/valid/decision-full.json"))
            .replaceAll("\\s*\\n\\s*", "");
    Path big = dir.resolve("big.ndjson");
    int events = 200_000;
    try (BufferedWriter w = Files.newBufferedWriter(big, StandardCharsets.UTF_8)) {
      for (int i = 0; i < events; i++) {
        String e = line.replace("01JDX3S0000000000000000005", "ev-" + i);
        w.write(i == 123_456 ? e.replace("\"kind\": \"decision\"", "\"kind\": \"decisions\"") : e);
        w.newLine();
      }
    }
    assertThat(Files.size(big)).isGreaterThan(150L * 1024 * 1024);
    Result r = run("64m", "validate", big.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out().strip())
        .isEqualTo(
            big
                + ":123457: /kind: must be one of \"decision\", \"handle.issued\", "
                + "\"handle.revoked\", \"handle.expired\", \"handle.rotated\", got \"decisions\"");
    assertThat(r.err())
        .contains(events + " events in 1 files: " + (events - 1) + " valid, 1 bad")
        .contains("events/s");
  }

  @Test
  void helpWorksOnEveryCommand() throws Exception {
    assertThat(run("64m", "--help").out()).contains("Usage: mcp-audit", "validate");
    assertThat(run("64m", "validate", "--help").out()).contains("Usage: mcp-audit validate");
    assertThat(run("64m", "--version").out()).contains("mcp-audit 0.1.0-SNAPSHOT");
  }

  private static String[] concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all.toArray(String[]::new);
  }

  static {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(
          JAR + " missing: run through `mvn verify`, which packages it first");
    }
  }
}
