package dev.mcpaudit.runtime.config;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * One configuration key, declared once: its name, what it reads, its default, how it is checked and
 * what it is for. A role reads it with {@link #from(Settings)}; its {@link ConfigDef} lists it, so
 * a misspelt key stops the role and the example file can be checked against the declarations.
 *
 * @param name the key as written in a file ({@code indexer.refresh-interval})
 * @param type what a value looks like, for people ({@code duration}, {@code 1-64}, {@code size})
 * @param defaultText the default as a file would write it; empty when there is none or it is
 *     computed at start (then {@code doc} says how)
 * @param doc what the key is for, one sentence
 */
public record ConfigKey<T>(
    String name, String type, String defaultText, String doc, Reader<T> reader) {
  /**
   * Reads the key's value from settings (its default when unset), refusing a bad one with the key
   * in the message.
   */
  public interface Reader<T> {
    T read(Settings s, String name);
  }

  public ConfigKey {
    Objects.requireNonNull(name);
    Objects.requireNonNull(reader);
  }

  public T from(Settings s) {
    return reader.read(s, name);
  }

  /**
   * The same key with one more rule its value must follow; {@code rule} says what, for the error.
   */
  public ConfigKey<T> check(java.util.function.Predicate<T> ok, String rule) {
    Reader<T> inner = reader;
    return new ConfigKey<>(
        name,
        type,
        defaultText,
        doc,
        (s, n) -> {
          T v = inner.read(s, n);
          if (!ok.test(v)) {
            throw new ConfigException(n + ": " + rule + ", got " + s.string(n, String.valueOf(v)));
          }
          return v;
        });
  }

  public static ConfigKey<String> string(String name, String fallback, String doc) {
    return new ConfigKey<>(
        name, "text", fallback == null ? "" : fallback, doc, (s, n) -> s.string(n, fallback));
  }

  public static ConfigKey<Integer> integer(
      String name, int fallback, int min, int max, String doc) {
    return new ConfigKey<>(
        name,
        min + "-" + max,
        Integer.toString(fallback),
        doc,
        (s, n) -> s.integer(n, fallback, min, max));
  }

  /** A whole number whose default is computed at start ({@code doc} says how). */
  public static ConfigKey<Integer> integer(
      String name, java.util.function.IntSupplier fallback, int min, int max, String doc) {
    return new ConfigKey<>(
        name, min + "-" + max, "", doc, (s, n) -> s.integer(n, fallback.getAsInt(), min, max));
  }

  public static ConfigKey<Boolean> bool(String name, boolean fallback, String doc) {
    return new ConfigKey<>(
        name, "true|false", Boolean.toString(fallback), doc, (s, n) -> s.bool(n, fallback));
  }

  public static ConfigKey<Duration> duration(String name, Duration fallback, String doc) {
    return new ConfigKey<>(
        name, "duration", written(fallback), doc, (s, n) -> s.duration(n, fallback));
  }

  public static ConfigKey<Long> bytes(String name, long fallback, String doc) {
    return new ConfigKey<>(
        name, "size", writtenBytes(fallback), doc, (s, n) -> s.bytes(n, fallback));
  }

  /** Any other type: {@code parse} turns the text (the default's text when unset) into a value. */
  public static <T> ConfigKey<T> of(
      String name,
      String type,
      String defaultText,
      String doc,
      BiFunction<String, String, T> parse) {
    return new ConfigKey<>(
        name, type, defaultText, doc, (s, n) -> parse.apply(n, s.string(n, defaultText)));
  }

  /** A duration as a file would write it: the largest unit that divides it. */
  public static String written(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms % sizes[i] == 0) {
        return ms / sizes[i] + units[i];
      }
    }
    return ms + "ms";
  }

  static String writtenBytes(long b) {
    if (b > 0 && b % (1L << 30) == 0) {
      return (b >> 30) + "GiB";
    }
    if (b > 0 && b % (1L << 20) == 0) {
      return (b >> 20) + "MiB";
    }
    if (b > 0 && b % (1L << 10) == 0) {
      return (b >> 10) + "KiB";
    }
    return Long.toString(b);
  }
}
