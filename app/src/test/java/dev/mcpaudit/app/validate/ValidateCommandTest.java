package dev.mcpaudit.app.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.app.McpAudit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
  static final Path EXAMPLES = Path.of("../schemas/examples");

  @TempDir Path dir;

  record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static Run validate(String... files) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] args = Stream.concat(Stream.of("validate"), Stream.of(files)).toArray(String[]::new);
    int exit = McpAudit.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exit, out.toString(), err.toString());
  }

  static String[] all(String sub) throws IOException {
    try (Stream<Path> s = Files.list(EXAMPLES.resolve(sub))) {
      return s.map(Path::toString).sorted().toArray(String[]::new);
    }
  }

  @Test
  void validExamplesExitZero() throws IOException {
    Run r = validate(all("valid"));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("16 events in 13 files: 16 valid, 0 bad");
  }

  @Test
  void invalidExamplesExitOneAndNameEachFileLineAndPointer() throws IOException {
    String[] files = all("invalid");
    Run r = validate(files);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.lines()).hasSize(files.length);
    assertThat(r.out())
        .contains("missing-event-id.json:1: /event_id: is required")
        .contains("unknown-handle-field.json:1: /handle/session: unknown field")
        .contains(
            "allow-with-deny-reason-code.json:1: /reason_code: HANDLE_REVOKED is a known deny code")
        .contains("duplicate-key.json:1: (event): malformed JSON at line 8");
  }

  @Test
  void ndjsonGoesOnAfterABadLineAndCountsLinesFromOne() throws IOException {
    String good =
        Files.readString(EXAMPLES.resolve("valid/decision-minimal.json"))
            .replaceAll("\\s*\\n\\s*", "");
    Path f = dir.resolve("batch.ndjson");
    Files.writeString(
        f,
        String.join(
                "\n",
                good,
                "",
                good.replace("\"deny\"", "\"nope\""),
                "{not json",
                good.replace("\"tenant\": \"acme\",", ""))
            + "\n");
    Run r = validate(f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.lines())
        .containsExactly(
            f + ":3: /decision: must be one of \"allow\", \"deny\", got \"nope\"",
            f
                + ":4: (event): malformed JSON at line 1 column 2: Unexpected character ('n' (code 110)): was expecting double-quote to start field name",
            f + ":5: /tenant: is required");
    assertThat(r.err()).contains("4 events in 1 files: 1 valid, 3 bad");
  }

  @Test
  void occurredAtMayRunAtMostTheAllowedSkewAheadOfThisMachinesClock() throws IOException {
    String good =
        Files.readString(EXAMPLES.resolve("valid/decision-minimal.json"))
            .replaceAll("\\s*\\n\\s*", "");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Path f = dir.resolve("clocks.ndjson");
    Files.writeString(
        f,
        String.join(
                "\n",
                good.replace("2026-11-20T14:03:27Z", now.plus(Duration.ofMinutes(4)).toString()),
                good.replace("2026-11-20T14:03:27Z", now.plus(Duration.ofMinutes(6)).toString()),
                good.replace("\"tenant\"", "\"source\": {\"worker\": \"w1\"}, \"tenant\""))
            + "\n");
    Run r = validate(f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.lines()).hasSize(2);
    assertThat(r.lines().get(0))
        .startsWith(f + ":2: /occurred_at: is ")
        .contains("more than 5m ahead", "validation.max-future-skew");
    assertThat(r.lines().get(1))
        .startsWith(f + ":3: /source/gateway: is required when source is given");

    Run lenient = validate("--max-future-skew", "10m", f.toString());
    assertThat(lenient.lines()).singleElement().asString().startsWith(f + ":3: /source/gateway");
    assertThat(validate("--max-future-skew", "soon", f.toString()).exit()).isEqualTo(2);
  }

  @Test
  void prettyPrintedArrayReportsTheLineEachEventStartsOn() throws IOException {
    String event = Files.readString(EXAMPLES.resolve("valid/handle-revoked.json")).strip();
    String broken = event.replace("\"handle.revoked\"", "\"handle.paused\"");
    Path f = dir.resolve("events.json");
    Files.writeString(f, "[\n" + event + ",\n" + broken + "\n]\n");
    int brokenLine = 2 + (int) event.lines().count();
    Run r = validate(f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.lines())
        .singleElement()
        .asString()
        .startsWith(f + ":" + brokenLine + ": /kind: must be one of");
  }

  @Test
  void missingFileIsReportedAndFailsTheRun() {
    Run r = validate(dir.resolve("nope.json").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("nope.json: cannot read");
    assertThat(r.err()).contains("1 files unreadable");
  }

  @Test
  void everyCommandHasHelp() {
    assertThat(validate("--help").out()).contains("Usage: mcp-audit validate", "Exit status");
    StringWriter out = new StringWriter();
    assertThat(McpAudit.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "--help"))
        .isZero();
    assertThat(out.toString()).contains("validate");
  }
}
