package dev.mcpaudit.kafka.client;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The Kafka client property names the passthrough accepts, how an environment variable's spelling
 * maps onto them, and which of them hold secrets.
 */
final class KafkaNames {
  /** Every producer, consumer and Admin property. */
  static final Set<String> CLIENT;

  /** Properties Kafka itself declares as passwords (hidden in its own config logs). */
  private static final Set<String> PASSWORDS;

  /**
   * Names that hold secrets whatever their declared type: JAAS text carries passwords and client
   * secrets, key material is a secret even when not typed as a password.
   */
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(password|secret|jaas|credential|token|\\.key$|keystore\\.key).*");

  /** A quoted value in JAAS text: {@code password="…"}, {@code clientSecret="…"}. */
  private static final Pattern JAAS_VALUE = Pattern.compile("=\\s*\"([^\"]*)\"");

  static {
    Set<String> all = new HashSet<>();
    Set<String> passwords = new HashSet<>();
    for (ConfigDef def :
        List.of(
            ProducerConfig.configDef(),
            ConsumerConfig.configDef(),
            AdminClientConfig.configDef())) {
      def.configKeys()
          .values()
          .forEach(
              k -> {
                all.add(k.name);
                if (k.type == ConfigDef.Type.PASSWORD) {
                  passwords.add(k.name);
                }
              });
    }
    CLIENT = Set.copyOf(all);
    PASSWORDS = Set.copyOf(passwords);
  }

  private KafkaNames() {}

  /**
   * The Kafka name {@code written} stands for ({@code sasl_mechanism} → {@code sasl.mechanism}).
   */
  static String resolve(String written, Set<String> extraKnown) {
    String c = canonical(written);
    for (Set<String> names : List.of(CLIENT, extraKnown)) {
      for (String n : names) {
        if (canonical(n).equals(c)) {
          return n;
        }
      }
    }
    return null;
  }

  static Optional<String> nearest(String written, Set<String> extraKnown) {
    List<String> names = new ArrayList<>(CLIENT);
    names.addAll(extraKnown);
    return NearestName.among(written, names, KafkaNames::canonical);
  }

  static boolean secret(String name) {
    return PASSWORDS.contains(name) || SECRET_NAME.matcher(name).matches();
  }

  /**
   * What to cut out of a message for a secret value: the value itself and, for JAAS text, each
   * quoted value in it (a password appears in an error without the rest of the line).
   */
  static List<String> secretParts(String value) {
    List<String> parts = new ArrayList<>();
    if (value == null || value.isEmpty()) {
      return parts;
    }
    parts.add(value);
    Matcher m = JAAS_VALUE.matcher(value);
    while (m.find()) {
      if (m.group(1).length() >= 4) {
        parts.add(m.group(1));
      }
    }
    // Longest first, so a value containing another is replaced whole.
    parts.sort(Comparator.comparingInt(String::length).reversed());
    return parts;
  }

  static String canonical(String key) {
    return key.toLowerCase(Locale.ROOT).replace('-', '.').replace('_', '.');
  }
}
