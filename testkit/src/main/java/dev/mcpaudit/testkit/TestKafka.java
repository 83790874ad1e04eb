package dev.mcpaudit.testkit;

import java.util.Collection;

/** A running Kafka broker a test talks to: in-process KRaft, or a container where Docker runs. */
public interface TestKafka extends AutoCloseable {

  String bootstrapServers();

  void createTopics(int partitions, Collection<String> names);

  /** What runs the broker, for test logs: "embedded" or "container". */
  String flavour();

  @Override
  void close();
}
