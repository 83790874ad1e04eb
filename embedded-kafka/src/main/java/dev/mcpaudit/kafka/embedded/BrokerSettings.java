package dev.mcpaudit.kafka.embedded;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How to run the embedded broker. Ports of 0 are chosen free at first start and then kept, so a
 * restarted broker is found at the same address. It listens on loopback only and is for one
 * machine's quickstart and tests; its client listener is PLAINTEXT unless {@link #withSaslSsl}.
 *
 * @param dataDir where the KRaft metadata and topic logs live; reusing it keeps the data
 * @param port the client (PLAINTEXT) port, 0 for a free one
 * @param controllerPort the KRaft controller port, 0 for a free one
 * @param defaultPartitions partitions of topics created without an explicit count
 * @param overrides extra broker properties, applied last
 * @param saslSsl the client listener's TLS and SCRAM logins; null for a PLAINTEXT listener
 */
public record BrokerSettings(
    Path dataDir,
    int port,
    int controllerPort,
    int defaultPartitions,
    Map<String, String> overrides,
    SaslSslListener saslSsl) {

  public BrokerSettings {
    Objects.requireNonNull(dataDir, "dataDir");
    if (port < 0 || port > 65535 || controllerPort < 0 || controllerPort > 65535) {
      throw new IllegalArgumentException(
          "ports must be 0-65535, got " + port + " and " + controllerPort);
    }
    if (defaultPartitions < 1) {
      throw new IllegalArgumentException(
          "defaultPartitions must be >= 1, got " + defaultPartitions);
    }
    overrides = Map.copyOf(overrides);
  }

  public BrokerSettings(
      Path dataDir,
      int port,
      int controllerPort,
      int defaultPartitions,
      Map<String, String> overrides) {
    this(dataDir, port, controllerPort, defaultPartitions, overrides, null);
  }

  /** Free ports, 4 partitions per topic, no overrides. */
  public static BrokerSettings inDirectory(Path dataDir) {
    return new BrokerSettings(dataDir, 0, 0, 4, Map.of());
  }

  /** The client listener with TLS and SCRAM-SHA-512 logins instead of PLAINTEXT. */
  public BrokerSettings withSaslSsl(SaslSslListener listener) {
    return new BrokerSettings(
        dataDir, port, controllerPort, defaultPartitions, overrides, listener);
  }

  public BrokerSettings withPort(int newPort) {
    return new BrokerSettings(
        dataDir, newPort, controllerPort, defaultPartitions, overrides, saslSsl);
  }

  public BrokerSettings withDefaultPartitions(int partitions) {
    return new BrokerSettings(dataDir, port, controllerPort, partitions, overrides, saslSsl);
  }

  public BrokerSettings withOverrides(Map<String, String> extra) {
    return new BrokerSettings(dataDir, port, controllerPort, defaultPartitions, extra, saslSsl);
  }
}
