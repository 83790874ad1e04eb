package dev.mcpaudit.testkit;

import dev.mcpaudit.kafka.embedded.EmbeddedKafkaBroker;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker for a test class. Register it as a static field:
 *
 * <pre>
 * {@code @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();}
 * </pre>
 *
 * <p>{@link #shared()} starts one broker per test JVM (tests use their own topic names, see {@link
 * #uniqueTopic}); it runs in a Testcontainers container when a Docker engine is reachable and
 * in-process otherwise. {@link #dedicated()} gives the class its own in-process broker that it may
 * stop and start (broker-outage tests). {@code MCP_AUDIT_TEST_KAFKA=embedded|container} forces a
 * flavour for the shared broker.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private static final Logger log = LoggerFactory.getLogger(KafkaBrokerExtension.class);
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  private final boolean dedicated;
  private TestKafka kafka;

  private KafkaBrokerExtension(boolean dedicated) {
    this.dedicated = dedicated;
  }

  public static KafkaBrokerExtension shared() {
    return new KafkaBrokerExtension(false);
  }

  public static KafkaBrokerExtension dedicated() {
    return new KafkaBrokerExtension(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (dedicated) {
      kafka = new EmbeddedTestKafka();
    } else {
      // The root store lives for the whole run and closes the broker after the last test.
      kafka =
          context
              .getRoot()
              .getStore(NS)
              .getOrComputeIfAbsent("shared", k -> startShared(), TestKafka.class);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (dedicated && kafka != null) {
      kafka.close();
    }
  }

  public String bootstrapServers() {
    return kafka().bootstrapServers();
  }

  public void createTopics(int partitions, String... names) {
    kafka().createTopics(partitions, List.of(names));
  }

  /** A topic name no other test uses: tests on the shared broker stay independent. */
  public static String uniqueTopic(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The in-process broker, to stop and start it; only for {@link #dedicated()} extensions. */
  public EmbeddedKafkaBroker embeddedBroker() {
    if (!(kafka() instanceof EmbeddedTestKafka e) || !dedicated) {
      throw new IllegalStateException(
          "only a dedicated() broker may be stopped and started by a test");
    }
    return e.broker();
  }

  public String flavour() {
    return kafka().flavour();
  }

  private TestKafka kafka() {
    if (kafka == null) {
      throw new IllegalStateException(
          "register KafkaBrokerExtension with @RegisterExtension on a static field");
    }
    return kafka;
  }

  private static TestKafka startShared() {
    String wanted =
        System.getenv().getOrDefault("MCP_AUDIT_TEST_KAFKA", "auto").toLowerCase(Locale.ROOT);
    boolean container =
        switch (wanted) {
          case "container" -> true;
          case "embedded" -> false;
          default -> ContainerTestKafka.dockerAvailable();
        };
    long start = System.nanoTime();
    TestKafka k = container ? new ContainerTestKafka() : new EmbeddedTestKafka();
    log.info(
        "test kafka ready flavour={} bootstrap={} start_ms={}",
        k.flavour(),
        k.bootstrapServers(),
        (System.nanoTime() - start) / 1_000_000);
    return k;
  }
}
