package dev.mcpaudit.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options shared by the benchmarks: {@code --events N}, {@code --set key=value} (role settings) and
 * {@code --custom-rules N} (the detector: a second run with N analysts' rules beside the first).
 */
record BenchArgs(int events, boolean eventsGiven, Map<String, String> settings, int customRules) {
  static final int DEFAULT_EVENTS = 500_000;

  /** The --events value, or this benchmark's own default. */
  int eventsOr(int fallback) {
    return eventsGiven ? events : fallback;
  }

  static BenchArgs parse(String[] args) {
    int events = DEFAULT_EVENTS;
    boolean given = false;
    Map<String, String> settings = new LinkedHashMap<>();
    int customRules = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> {
          events = Integer.parseInt(args[++i]);
          given = true;
        }
        case "--custom-rules" -> customRules = Integer.parseInt(args[++i]);
        case "--set" -> {
          String[] kv = args[++i].split("=", 2);
          settings.put(kv[0], kv[1]);
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    return new BenchArgs(events, given, Map.copyOf(settings), customRules);
  }
}
