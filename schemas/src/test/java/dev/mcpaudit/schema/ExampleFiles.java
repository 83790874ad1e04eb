package dev.mcpaudit.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The example events under {@code schemas/examples/}, read as users would read them. */
final class ExampleFiles {
  static final Path ROOT = Path.of("examples");

  private ExampleFiles() {}

  static List<Path> list(String dir) {
    try (Stream<Path> files = Files.list(ROOT.resolve(dir))) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each event of a file: the whole file for .json, each non-blank line for .ndjson. */
  static List<byte[]> events(Path file) {
    try {
      if (file.toString().endsWith(".ndjson")) {
        return Files.readAllLines(file).stream()
            .filter(l -> !l.isBlank())
            .map(String::getBytes)
            .toList();
      }
      return List.of(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
