package dev.mcpaudit.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Options shared by the benchmarks: {@code --events N} and {@code --set key=value} (role settings). */
record BenchArgs(int events, Map<String, String> settings) {
  static BenchArgs parse(String[] args) {
    int events = 500_000;
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--set" -> {
          String[] kv = args[++i].split("=", 2);
          settings.put(kv[0], kv[1]);
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    return new BenchArgs(events, Map.copyOf(settings));
  }
}
