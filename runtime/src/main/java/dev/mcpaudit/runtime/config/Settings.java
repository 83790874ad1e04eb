package dev.mcpaudit.runtime.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw configuration: a properties file, overlaid by environment variables ({@code
 * collector.body-limit} is {@code MCP_AUDIT_COLLECTOR_BODY_LIMIT}), overlaid by command-line
 * overrides. Roles read it once into their own typed record; the getters here parse and reject bad
 * values with the key in the message, so a typo fails at start, not at 3 a.m.
 */
public final class Settings {
  public static final String ENV_PREFIX = "MCP_AUDIT_";
  private static final Pattern DURATION = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d)$");
  private static final Pattern SIZE = Pattern.compile("^(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?$");

  private final Map<String, String> values;

  /**
   * canonical key -> the key as written, for {@link #under} (principal names keep their dashes).
   */
  private final Map<String, String> spelled;

  private final String origin;

  private Settings(Map<String, String> raw, String origin) {
    Map<String, String> v = new HashMap<>();
    Map<String, String> k = new HashMap<>();
    raw.forEach(
        (key, value) -> {
          v.put(canonical(key), value);
          k.put(canonical(key), key);
        });
    this.values = Map.copyOf(v);
    this.spelled = Map.copyOf(k);
    this.origin = origin;
  }

  /** File (may be null), then every {@code MCP_AUDIT_*} variable of {@code env}, then overrides. */
  public static Settings load(Path file, Map<String, String> env, Map<String, String> overrides) {
    // Later layers replace earlier ones key by key, whatever the spelling of the key.
    Map<String, Map.Entry<String, String>> merged = new HashMap<>();
    String origin = "defaults";
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
      }
      p.stringPropertyNames()
          .forEach(k -> merged.put(canonical(k), Map.entry(k, p.getProperty(k).strip())));
      origin = file.toString();
    }
    env.forEach(
        (k, v) -> {
          if (k.startsWith(ENV_PREFIX)) {
            String key = k.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
            merged.put(canonical(key), Map.entry(key, v.strip()));
          }
        });
    overrides.forEach((k, v) -> merged.put(canonical(k), Map.entry(k, v)));
    Map<String, String> flat = new HashMap<>();
    merged.values().forEach(e -> flat.put(e.getKey(), e.getValue()));
    return new Settings(flat, origin);
  }

  public static Settings of(Map<String, String> values) {
    return new Settings(values, "code");
  }

  /**
   * Keys compare with '.', '-' and '_' treated alike and ignoring case, so env names map onto
   * dotted keys.
   */
  private static String canonical(String key) {
    return key.toLowerCase(Locale.ROOT).replace('-', '_').replace('.', '_');
  }

  /** Every key set, as it was written (a file's spelling, or the environment's lower-cased). */
  public java.util.Set<String> keys() {
    return java.util.Set.copyOf(spelled.values());
  }

  public String origin() {
    return origin;
  }

  public String string(String key, String fallback) {
    String v = values.get(canonical(key));
    return v == null || v.isEmpty() ? fallback : v;
  }

  public String required(String key) {
    String v = string(key, null);
    if (v == null) {
      throw new ConfigException(
          key + ": is required (set it in the config file or as " + envName(key) + ")");
    }
    return v;
  }

  public int integer(String key, int fallback, int min, int max) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new ConfigException(key + ": must be " + min + "-" + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(
          key + ": must be a whole number " + min + "-" + max + ", got '" + v + "'");
    }
  }

  public boolean bool(String key, boolean fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default -> throw new ConfigException(key + ": must be true or false, got '" + v + "'");
    };
  }

  /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}. */
  public Duration duration(String key, Duration fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    return parseDuration(key, v);
  }

  /**
   * A duration as configuration writes it ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h},
   * {@code 7d}); {@code name} is for the error.
   */
  public static Duration parseDuration(String name, String v) {
    Matcher m = DURATION.matcher(v.strip());
    if (!m.matches()) {
      throw new ConfigException(
          name + ": must be a duration like 250ms, 30s, 5m, 2h or 7d, got '" + v + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /**
   * Bytes: {@code 16384}, {@code 64KiB}, {@code 10MiB}, {@code 1GiB} (KB/MB/GB are taken as
   * KiB/MiB/GiB).
   */
  public long bytes(String key, long fallback) {
    String v = string(key, null);
    if (v == null) {
      return fallback;
    }
    Matcher m = SIZE.matcher(v);
    if (!m.matches()) {
      throw new ConfigException(
          key + ": must be a size like 65536, 64KiB, 10MiB or 1GiB, got '" + v + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    return switch (unit) {
      case "KiB", "KB" -> n << 10;
      case "MiB", "MB" -> n << 20;
      case "GiB", "GB" -> n << 30;
      default -> n;
    };
  }

  /** Every key below {@code prefix.}, with the prefix removed (e.g. the token table). */
  public Map<String, String> under(String prefix) {
    String p = canonical(prefix) + "_";
    Map<String, String> out = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(p) && k.length() > p.length()) {
            out.put(spelled.get(k).substring(p.length()), v);
          }
        });
    return out;
  }

  /**
   * Whether two keys (or parts of keys) name the same setting, spelled as a file or as the
   * environment would.
   */
  public static boolean sameKey(String a, String b) {
    return canonical(a).equals(canonical(b));
  }

  public static String envName(String key) {
    return ENV_PREFIX + canonical(key).toUpperCase(Locale.ROOT);
  }
}
