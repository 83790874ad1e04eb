package dev.mcpaudit.testkit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), so tests read {@code
 * /metrics} the way a scraper does: {@code # HELP} and {@code # TYPE} lines, samples with escaped
 * label values, a family's samples together and after its {@code TYPE}. Anything a scraper would
 * refuse throws {@link IllegalArgumentException} naming the line.
 */
public final class PrometheusText {
  /** One metric family: its name, HELP text and TYPE (null when missing), and its samples. */
  public record Family(String name, String help, String type, List<Sample> samples) {}

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");
  private static final List<String> SUFFIXES =
      List.of("_bucket", "_count", "_sum", "_created", "_gcount", "_gsum");

  private final Map<String, String> help = new LinkedHashMap<>();
  private final Map<String, String> type = new LinkedHashMap<>();
  private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
  private final Set<String> closed = new HashSet<>();
  private final Set<String> seenSeries = new HashSet<>();
  private String current;

  private PrometheusText() {}

  /** Every family of a scrape, in the order they appear. */
  public static Map<String, Family> parse(String text) {
    PrometheusText p = new PrometheusText();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i == lines.length - 1 && line.isEmpty()) {
        break; // the final line break
      }
      try {
        p.line(line);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + ": " + e.getMessage() + ": " + line, e);
      }
    }
    Map<String, Family> out = new LinkedHashMap<>();
    Set<String> names = new java.util.LinkedHashSet<>(p.type.keySet());
    names.addAll(p.help.keySet());
    names.addAll(p.samples.keySet());
    for (String n : names) {
      out.put(
          n,
          new Family(
              n, p.help.get(n), p.type.get(n), List.copyOf(p.samples.getOrDefault(n, List.of()))));
    }
    return out;
  }

  private void line(String line) {
    if (line.isBlank()) {
      return;
    }
    if (line.startsWith("#")) {
      comment(line);
      return;
    }
    sample(line);
  }

  private void comment(String line) {
    String[] parts = line.substring(1).stripLeading().split("[ \t]+", 3);
    if (parts.length < 2 || !(parts[0].equals("HELP") || parts[0].equals("TYPE"))) {
      return; // an ordinary comment
    }
    String name = parts[1];
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name " + name);
    }
    enter(name);
    String rest = parts.length > 2 ? parts[2] : "";
    if (parts[0].equals("HELP")) {
      if (help.put(name, unescapeHelp(rest)) != null) {
        throw new IllegalArgumentException("second HELP for " + name);
      }
    } else {
      if (!TYPES.contains(rest.strip())) {
        throw new IllegalArgumentException("unknown TYPE " + rest);
      }
      if (samples.containsKey(name)) {
        throw new IllegalArgumentException("TYPE for " + name + " after its samples");
      }
      if (type.put(name, rest.strip()) != null) {
        throw new IllegalArgumentException("second TYPE for " + name);
      }
    }
  }

  private void sample(String line) {
    int i = 0;
    while (i < line.length()
        && line.charAt(i) != '{'
        && line.charAt(i) != ' '
        && line.charAt(i) != '\t') {
      i++;
    }
    String name = line.substring(0, i);
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad metric name " + name);
    }
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels);
    }
    String[] rest = line.substring(i).strip().split("[ \t]+");
    if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
      throw new IllegalArgumentException("expected a value and an optional timestamp");
    }
    double value = number(rest[0]);
    if (rest.length == 2) {
      Long.parseLong(rest[1]);
    }
    String family = familyOf(name);
    enter(family);
    if (!seenSeries.add(name + labels)) {
      throw new IllegalArgumentException("duplicate series " + name + labels);
    }
    samples
        .computeIfAbsent(family, k -> new ArrayList<>())
        .add(new Sample(name, Map.copyOf(labels), value));
  }

  /** Samples named {@code x_bucket} etc. belong to family {@code x} when {@code x} was declared. */
  private String familyOf(String name) {
    if (type.containsKey(name) || help.containsKey(name)) {
      return name;
    }
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        if (type.containsKey(base)) {
          return base;
        }
      }
    }
    return name;
  }

  private void enter(String family) {
    if (family.equals(current)) {
      return;
    }
    if (closed.contains(family)) {
      throw new IllegalArgumentException("family " + family + " appears in two places");
    }
    if (current != null) {
      closed.add(current);
    }
    current = family;
  }

  private static int labels(String line, int i, Map<String, String> out) {
    while (true) {
      if (i >= line.length()) {
        throw new IllegalArgumentException("unterminated label set");
      }
      if (line.charAt(i) == '}') {
        return i + 1;
      }
      int eq = line.indexOf('=', i);
      if (eq < 0) {
        throw new IllegalArgumentException("label without a value");
      }
      String label = line.substring(i, eq).strip();
      if (!LABEL_NAME.matcher(label).matches()) {
        throw new IllegalArgumentException("bad label name " + label);
      }
      i = eq + 1;
      if (i >= line.length() || line.charAt(i) != '"') {
        throw new IllegalArgumentException("label value not quoted");
      }
      StringBuilder v = new StringBuilder();
      i++;
      while (true) {
        if (i >= line.length()) {
          throw new IllegalArgumentException("unterminated label value");
        }
        char c = line.charAt(i++);
        if (c == '"') {
          break;
        }
        if (c == '\\') {
          if (i >= line.length()) {
            throw new IllegalArgumentException("dangling escape");
          }
          char e = line.charAt(i++);
          switch (e) {
            case '\\' -> v.append('\\');
            case '"' -> v.append('"');
            case 'n' -> v.append('\n');
            default -> throw new IllegalArgumentException("bad escape \\" + e);
          }
        } else {
          v.append(c);
        }
      }
      if (out.put(label, v.toString()) != null) {
        throw new IllegalArgumentException("label " + label + " twice");
      }
      if (i < line.length() && line.charAt(i) == ',') {
        i++;
      } else if (i >= line.length() || line.charAt(i) != '}') {
        throw new IllegalArgumentException("expected , or } after a label");
      }
    }
  }

  private static double number(String s) {
    return switch (s) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(s);
    };
  }

  private static String unescapeHelp(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char e = s.charAt(++i);
        switch (e) {
          case '\\' -> b.append('\\');
          case 'n' -> b.append('\n');
          default -> throw new IllegalArgumentException("bad escape in HELP \\" + e);
        }
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * The families named {@code prefix…} that lack a non-blank HELP or a TYPE, each with what is
   * missing; empty when every one has both.
   */
  public static List<String> withoutHelpOrType(Map<String, Family> families, String prefix) {
    List<String> missing = new ArrayList<>();
    for (Family f : families.values()) {
      if (!f.name().startsWith(prefix)) {
        continue;
      }
      if (f.help() == null || f.help().isBlank()) {
        missing.add(f.name() + ": no HELP");
      }
      if (f.type() == null) {
        missing.add(f.name() + ": no TYPE");
      }
    }
    return missing;
  }
}
