package dev.mcpaudit.testkit;

import dev.mcpaudit.kafka.embedded.BrokerSettings;
import dev.mcpaudit.kafka.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.stream.Stream;

/** The in-process KRaft broker, with its data in a temp folder removed on close. */
final class EmbeddedTestKafka implements TestKafka {
  private final Path dir;
  private final EmbeddedKafkaBroker broker;

  EmbeddedTestKafka() {
    try {
      dir = Files.createTempDirectory("mcp-audit-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    broker = new EmbeddedKafkaBroker(BrokerSettings.inDirectory(dir)).start();
  }

  EmbeddedKafkaBroker broker() {
    return broker;
  }

  @Override
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  @Override
  public void createTopics(int partitions, Collection<String> names) {
    broker.createTopics(partitions, names);
  }

  @Override
  public String flavour() {
    return "embedded";
  }

  @Override
  public void close() {
    broker.stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temp folder is not worth failing a test run for.
    }
  }
}
