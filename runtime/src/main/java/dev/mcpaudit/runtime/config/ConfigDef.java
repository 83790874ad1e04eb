package dev.mcpaudit.runtime.config;

import dev.mcpaudit.kafka.client.NearestName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Every key a role reads, declared in one place (after Kafka's {@code ConfigDef}). Any key under
 * one of the role's prefixes that no declaration knows stops the role at start, with the nearest
 * declared key as a suggestion: a typo must not silently become the default.
 *
 * @param role the role's name, for messages
 * @param prefixes the key prefixes the role owns ({@code indexer.}); shared keys ({@link
 *     SharedKeys}) are checked by every role
 * @param keys the declared keys
 * @param families key families with a name in the middle ({@code api.token.}: {@code
 *     api.token.<principal>}, {@code .role}, {@code .tenants}), checked by their owner
 */
public record ConfigDef(
    String role, List<String> prefixes, List<ConfigKey<?>> keys, List<String> families) {
  public ConfigDef {
    prefixes = List.copyOf(prefixes);
    List<ConfigKey<?>> all = new ArrayList<>(SharedKeys.ALL);
    keys.stream().filter(k -> !SharedKeys.ALL.contains(k)).forEach(all::add);
    keys = List.copyOf(all);
    List<String> fam = new ArrayList<>(families);
    fam.add(SharedKeys.KAFKA_CLIENT);
    fam.add(SharedKeys.STAMP_KEYS);
    // Each role may give its clients a principal of their own: indexer.kafka.client.*.
    prefixes.forEach(p -> fam.add(p + SharedKeys.KAFKA_CLIENT));
    families = List.copyOf(fam);
  }

  /** The role's own keys and every shared key. */
  public static ConfigDef of(
      String role, List<String> prefixes, List<ConfigKey<?>> keys, String... families) {
    return new ConfigDef(role, prefixes, keys, List.of(families));
  }

  /** Refuses the first key under the role's prefixes (or a shared prefix) that nothing declares. */
  public void check(Settings s) {
    for (String key : new java.util.TreeSet<>(s.keys())) {
      if (owned(key) && !declared(key)) {
        throw new ConfigException(
            "unknown key "
                + key
                + nearest(key).map(k -> " (did you mean " + k + "?)").orElse("")
                + "; the "
                + role
                + " role knows the keys in config/mcp-audit.example.properties");
      }
    }
  }

  private boolean owned(String key) {
    return prefixes.stream().anyMatch(p -> startsWith(key, p))
        || SharedKeys.PREFIXES.stream().anyMatch(p -> startsWith(key, p));
  }

  /** Whether {@code key} is declared here or belongs to one of the families. */
  public boolean declared(String key) {
    return keys.stream().anyMatch(k -> Settings.sameKey(k.name(), key))
        || families.stream()
            .anyMatch(f -> startsWith(key, f) && canonical(key).length() > canonical(f).length());
  }

  private Optional<String> nearest(String key) {
    return NearestName.among(
        key, keys.stream().map(ConfigKey::name).toList(), ConfigDef::canonical);
  }

  private static boolean startsWith(String key, String prefix) {
    return canonical(key).startsWith(canonical(prefix));
  }

  private static String canonical(String key) {
    return key.toLowerCase(Locale.ROOT).replace('-', '_').replace('.', '_');
  }
}
