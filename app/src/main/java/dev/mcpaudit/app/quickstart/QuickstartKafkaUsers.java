package dev.mcpaudit.app.quickstart;

import dev.mcpaudit.kafka.embedded.DevCertificates;
import dev.mcpaudit.kafka.embedded.SaslSslListener;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code quickstart --kafka-sasl}: the embedded broker's SASL_SSL listener with one SCRAM user per
 * role, as a production cluster would have. The users and their passwords are made once and kept in
 * {@code kafka-users.properties} (owner-only), because the broker learns them when its data
 * directory is formatted.
 */
final class QuickstartKafkaUsers {
  static final String FILE = "kafka-users.properties";
  static final List<String> ROLES = List.of("collector", "indexer", "detector", "api");

  private QuickstartKafkaUsers() {}

  static SaslSslListener listener(Path data) throws Quickstart.StartException, IOException {
    Path file = data.resolve(FILE);
    boolean formatted = Files.exists(data.resolve("kafka").resolve("kafka-logs"));
    Map<String, String> users = new HashMap<>();
    if (Files.exists(file)) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
      p.stringPropertyNames().forEach(u -> users.put(u, p.getProperty(u)));
    } else if (formatted) {
      throw new Quickstart.StartException(
          "the broker in "
              + data.resolve("kafka")
              + " was made without --kafka-sasl, so it knows no SCRAM users; use a new --data-dir");
    } else {
      SecureRandom random = new SecureRandom();
      for (String user : ROLES) {
        users.put("mcp-audit-" + user, password(random));
      }
      users.put(SaslSslListener.BROKER_USER, password(random));
      Properties p = new Properties();
      p.putAll(users);
      Files.createDirectories(data);
      try (Writer w = Files.newBufferedWriter(file)) {
        p.store(w, "SCRAM-SHA-512 users of the quickstart's Kafka; the broker knows them");
      }
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
    }
    return new SaslSslListener(DevCertificates.in(data.resolve("kafka-tls")), users);
  }

  /** {@code kafka.client.*} for every role and each role's own login. */
  static Map<String, String> settings(SaslSslListener listener) {
    Map<String, String> s = new HashMap<>();
    for (String role : ROLES) {
      Map<String, String> props = listener.clientProperties("mcp-audit-" + role);
      props.forEach(
          (k, v) -> {
            if (k.equals("sasl.jaas.config")) {
              s.put(role + ".kafka.client." + k, v);
            } else {
              s.put("kafka.client." + k, v);
            }
          });
    }
    return s;
  }

  private static String password(SecureRandom random) {
    byte[] b = new byte[18];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
