package dev.mcpaudit.app.validate;

import dev.mcpaudit.runtime.config.ConfigException;
import dev.mcpaudit.runtime.config.Settings;
import dev.mcpaudit.runtime.config.SharedKeys;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.ValidationError;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mcp-audit validate}: checks files of events against contract v1 the way the collector
 * will, so a gateway author finds every problem before shipping. Exit 0 when all events are valid.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks JSON or NDJSON files of mcp.authz/v1 events against the event contract.",
      "Prints one line per bad event (FILE:LINE: /pointer: message; ...), then a summary on stderr.",
      "Exit status: 0 all events valid, 1 a bad event or unreadable file, 2 usage error."
    })
public final class ValidateCommand implements Callable<Integer> {

  @Parameters(
      arity = "1..*",
      paramLabel = "FILE",
      description = "JSON (object, array, or several) or NDJSON files; - reads stdin.")
  List<String> files;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the summary.")
  boolean quiet;

  @Option(
      names = "--max-future-skew",
      paramLabel = "DURATION",
      defaultValue = "5m",
      description =
          "How far occurred_at may be ahead of this machine's clock: the collector's validation.max-future-skew (default: ${DEFAULT-VALUE}).")
  String maxFutureSkew;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration skew;
    try {
      skew =
          SharedKeys.MAX_FUTURE_SKEW.from(
              Settings.of(Map.of("validation.max-future-skew", maxFutureSkew)));
    } catch (ConfigException e) {
      err.println("--max-future-skew: " + e.getMessage());
      return 2;
    }
    EventFileReader reader =
        new EventFileReader(
            new EventCodec(
                new EventValidator(Clock.systemUTC(), EventValidator.MAX_EVENT_BYTES, skew)));
    Tally tally = new Tally();
    long start = System.nanoTime();
    for (String file : files) {
      try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
        reader.read(
            in,
            file,
            (line, errors) -> {
              tally.events++;
              if (!errors.isEmpty()) {
                tally.bad++;
                if (!quiet) {
                  out.println(
                      file
                          + ":"
                          + line
                          + ": "
                          + errors.stream()
                              .map(ValidationError::toString)
                              .collect(Collectors.joining("; ")));
                }
              }
            });
        tally.files++;
      } catch (IOException | RuntimeException e) {
        tally.unreadable++;
        out.println(file + ": cannot read: " + e.getMessage());
      }
    }
    out.flush();
    double seconds = Math.max((System.nanoTime() - start) / 1e9, 1e-9);
    err.printf(
        Locale.ROOT,
        "%d events in %d files: %d valid, %d bad%s; %.1f s, %,.0f events/s%n",
        tally.events,
        tally.files,
        tally.events - tally.bad,
        tally.bad,
        tally.unreadable > 0 ? ", " + tally.unreadable + " files unreadable" : "",
        seconds,
        tally.events / seconds);
    err.flush();
    return tally.bad > 0 || tally.unreadable > 0 ? 1 : 0;
  }

  private static final class Tally {
    long events;
    long bad;
    int files;
    int unreadable;
  }
}
