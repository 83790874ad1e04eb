package dev.mcpaudit.testkit;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/** The official Apache Kafka image in KRaft mode, used where a Docker engine is reachable. */
final class ContainerTestKafka implements TestKafka {
  static final String IMAGE = "apache/kafka:4.1.1";

  private final KafkaContainer container;

  ContainerTestKafka() {
    container = new KafkaContainer(IMAGE);
    container.start();
  }

  static boolean dockerAvailable() {
    // Without a socket or DOCKER_HOST there is nothing to ask; Testcontainers would log an error.
    if (System.getenv("DOCKER_HOST") == null
        && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void createTopics(int partitions, Collection<String> names) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      List<NewTopic> topics =
          names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList();
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create topics " + names, e);
    }
  }

  @Override
  public String flavour() {
    return "container";
  }

  @Override
  public void close() {
    container.stop();
  }
}
