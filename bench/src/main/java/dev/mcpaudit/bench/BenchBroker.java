package dev.mcpaudit.bench;

import dev.mcpaudit.kafka.embedded.BrokerSettings;
import dev.mcpaudit.kafka.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** An embedded broker in a temp dir for one benchmark run, removed afterwards. */
final class BenchBroker implements AutoCloseable {
  final EmbeddedKafkaBroker broker;
  private final Path dir;

  BenchBroker(int partitions, List<String> topics) throws IOException {
    dir = Files.createTempDirectory("mcp-audit-bench-");
    broker = new EmbeddedKafkaBroker(BrokerSettings.inDirectory(dir.resolve("kafka"))).start();
    broker.createTopics(partitions, topics);
  }

  Path scratch(String name) throws IOException {
    return Files.createDirectories(dir.resolve(name));
  }

  @Override
  public void close() throws IOException {
    broker.stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
