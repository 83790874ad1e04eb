package dev.mcpaudit.bench;

/** Options shared by the benchmarks. */
record BenchArgs(int events) {
  static BenchArgs parse(String[] args) {
    int events = 500_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    return new BenchArgs(events);
  }
}
