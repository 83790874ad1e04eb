package dev.mcpaudit.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) running inside this JVM, built
 * from the Apache Kafka artifacts. Used by {@code mcp-audit quickstart} and by the tests, so both
 * exercise the same broker code a production cluster runs. Formats its data directory on first
 * start; a second start on the same directory keeps every topic and record.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final int defaultPartitions;
  private final Map<String, String> overrides;
  private final SaslSslListener saslSsl;
  private int port;
  private int controllerPort;
  private KafkaRaftServer server;

  public EmbeddedKafkaBroker(BrokerSettings settings) {
    this.dataDir = settings.dataDir().toAbsolutePath();
    this.defaultPartitions = settings.defaultPartitions();
    this.overrides = settings.overrides();
    this.saslSsl = settings.saslSsl();
    this.port = settings.port();
    this.controllerPort = settings.controllerPort();
  }

  /** Formats the data directory if it is new, then starts the broker; returns when it serves. */
  public synchronized EmbeddedKafkaBroker start() {
    if (server != null) {
      return this;
    }
    if (port == 0) {
      port = freePort();
    }
    if (controllerPort == 0) {
      controllerPort = freePort();
    }
    Properties props = properties();
    Path logDir = dataDir.resolve("kafka-logs");
    try {
      Files.createDirectories(logDir);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(props);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare kafka data dir " + logDir, e);
    }
    KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    try {
      s.startup();
    } catch (RuntimeException e) {
      s.shutdown();
      throw new IllegalStateException(
          "embedded kafka failed to start on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    server = s;
    awaitReady();
    log.info("embedded kafka started bootstrap={} data_dir={}", bootstrapServers(), dataDir);
    return this;
  }

  /** Stops the broker and waits until it released its ports and files; data stays on disk. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.shutdown();
    server.awaitShutdown();
    server = null;
    log.info("embedded kafka stopped bootstrap={}", bootstrapServers());
  }

  public synchronized boolean isRunning() {
    return server != null;
  }

  /** {@code host:port} for clients; stable across stop and start. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /**
   * What a client needs beyond {@link #bootstrapServers()} to reach this broker as its own
   * administrator: nothing for PLAINTEXT, TLS trust and the broker user's login for SASL_SSL.
   */
  public Map<String, String> adminClientProperties() {
    return saslSsl == null ? Map.of() : saslSsl.clientProperties(SaslSslListener.BROKER_USER);
  }

  private Map<String, Object> adminProperties() {
    Map<String, Object> p = new java.util.HashMap<>(adminClientProperties());
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return p;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Creates the topics that do not exist yet, with the given partitions and replication 1. */
  public void createTopics(int partitions, Collection<String> names) {
    try (Admin admin = Admin.create(adminProperties())) {
      Set<String> existing =
          admin.listTopics().names().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      List<NewTopic> missing =
          names.stream()
              .filter(n -> !existing.contains(n))
              .map(n -> new NewTopic(n, partitions, (short) 1))
              .toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        awaitWritable(admin, missing.stream().map(NewTopic::name).toList(), partitions);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "cannot create topics " + names + ": " + e.getCause().getMessage(), e);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out creating topics " + names, e);
    }
  }

  /**
   * A created topic is in the metadata a moment before its partitions are led: a producer that
   * writes in that window gets NotLeaderOrFollower and, with idempotence, can end in an
   * out-of-order-sequence error. Listing offsets is answered by the partition leader itself, so
   * once it succeeds for every partition, writes will too.
   */
  private static void awaitWritable(Admin admin, List<String> topics, int partitions)
      throws InterruptedException, TimeoutException {
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> probe =
        new java.util.HashMap<>();
    for (String t : topics) {
      for (int p = 0; p < partitions; p++) {
        probe.put(
            new org.apache.kafka.common.TopicPartition(t, p),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
    }
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        admin.listOffsets(probe).all().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              "partitions of " + topics + " not led after " + ADMIN_TIMEOUT + ": " + e.getCause());
        }
        Thread.sleep(
            50); // polling a just-created topic's leadership; bounded by the deadline above
      }
    }
  }

  public void createTopics(Collection<String> names) {
    createTopics(defaultPartitions, names);
  }

  @Override
  public void close() {
    stop();
  }

  private Properties properties() {
    Properties p = new Properties();
    String host = "127.0.0.1";
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.bootstrap.servers", host + ":" + controllerPort);
    String client = saslSsl == null ? "PLAINTEXT" : "SASL_SSL";
    p.put(
        "listeners",
        client + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
    p.put(
        "advertised.listeners",
        client + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
    p.put("controller.listener.names", "CONTROLLER");
    // The controller listener is the quorum's, on loopback, never a client's.
    p.put("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", client);
    if (saslSsl != null) {
      String prefix = "listener.name.sasl_ssl.";
      p.put("sasl.enabled.mechanisms", SaslSslListener.MECHANISM);
      // With an authorizer (an override), the broker's own user and the controller listener's
      // ANONYMOUS principal (PLAINTEXT, loopback only: a client listener never yields it) may do
      // anything; every other principal gets what its ACLs grant.
      p.put("super.users", "User:" + SaslSslListener.BROKER_USER + ";User:ANONYMOUS");
      p.put("sasl.mechanism.inter.broker.protocol", SaslSslListener.MECHANISM);
      p.put(
          prefix + "scram-sha-512.sasl.jaas.config",
          SaslSslListener.jaas(
              SaslSslListener.BROKER_USER, saslSsl.users().get(SaslSslListener.BROKER_USER)));
      DevCertificates certs = saslSsl.certificates();
      p.put(prefix + "ssl.keystore.type", "PKCS12");
      p.put(prefix + "ssl.keystore.location", certs.keyStore().toString());
      p.put(prefix + "ssl.keystore.password", certs.password());
      p.put(prefix + "ssl.key.password", certs.password());
      p.put(prefix + "ssl.truststore.type", "PKCS12");
      p.put(prefix + "ssl.truststore.location", certs.trustStore().toString());
      p.put(prefix + "ssl.truststore.password", certs.password());
    }
    p.put("log.dirs", dataDir.resolve("kafka-logs").toString());
    p.put("num.partitions", Integer.toString(defaultPartitions));
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Fewer internal partitions: a one-node broker starts consumer groups and transactions faster.
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("group.initial.rebalance.delay.ms", "0");
    // The 128 MiB default would sit on the heap of whatever process embeds the broker.
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
    // Topics are created on purpose; a typo in a topic name should fail, not create a new topic.
    p.put("auto.create.topics.enable", "false");
    p.putAll(overrides);
    return p;
  }

  private void format(Properties props) throws IOException {
    Path cfg = dataDir.resolve("server.properties");
    try (OutputStream out = Files.newOutputStream(cfg)) {
      props.store(out, "written by mcp-audit for the embedded broker");
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(formatArguments(cfg), out);
    }
    if (saslSsl != null) {
      Files.deleteIfExists(
          cfg); // it holds the broker's password; the running broker does not read it
    }
    if (rc != 0) {
      throw new IllegalStateException(
          "kafka storage format failed (" + rc + "): " + buffer.toString(StandardCharsets.UTF_8));
    }
  }

  private String[] formatArguments(Path cfg) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                cfg.toString(),
                "--standalone"));
    if (saslSsl != null) {
      // SCRAM credentials live in the cluster metadata; formatting is when a new cluster gets its
      // first ones, the broker's own login among them.
      saslSsl
          .users()
          .forEach(
              (user, password) -> {
                args.add("--add-scram");
                args.add(
                    SaslSslListener.MECHANISM + "=[name=" + user + ",password=" + password + "]");
              });
    }
    return args.toArray(String[]::new);
  }

  /** Startup returns before the broker is unfenced; clients should not race it. */
  private void awaitReady() {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(adminProperties())) {
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "embedded kafka did not become ready within " + ADMIN_TIMEOUT, e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for embedded kafka", e);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on loopback", e);
    }
  }
}
