package dev.mcpaudit.kafka.embedded;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * The embedded broker's client listener as a managed Kafka offers it: TLS (a certificate from
 * {@link DevCertificates}) and SCRAM-SHA-512 logins. The users are created when the data directory
 * is formatted, with the broker's own user among them.
 *
 * @param certificates the CA and server certificate the listener presents
 * @param users user name → password, created as SCRAM-SHA-512 credentials
 */
public record SaslSslListener(DevCertificates certificates, Map<String, String> users) {
  /** The user the broker itself and its Admin calls log in as. */
  public static final String BROKER_USER = "mcp-audit-broker";

  public static final String MECHANISM = "SCRAM-SHA-512";

  public SaslSslListener {
    Objects.requireNonNull(certificates);
    Map<String, String> all = new HashMap<>(users);
    all.computeIfAbsent(BROKER_USER, u -> randomPassword());
    users = Map.copyOf(all);
  }

  /** Client properties for {@code user}: what {@code kafka.client.*} would hold for it. */
  public Map<String, String> clientProperties(String user) {
    return clientProperties(user, users.get(user));
  }

  /** Client properties for {@code user} logging in with {@code password} (right or wrong). */
  public Map<String, String> clientProperties(String user, String password) {
    return Map.of(
        "security.protocol",
        "SASL_SSL",
        "sasl.mechanism",
        MECHANISM,
        "sasl.jaas.config",
        jaas(user, password),
        "ssl.truststore.type",
        "PKCS12",
        "ssl.truststore.location",
        certificates.trustStore().toString(),
        "ssl.truststore.password",
        certificates.password());
  }

  /** The SCRAM login line for {@code user}: what {@code sasl.jaas.config} holds. */
  public static String jaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  private static String randomPassword() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
