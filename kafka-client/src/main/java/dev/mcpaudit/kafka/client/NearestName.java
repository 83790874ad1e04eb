package dev.mcpaudit.kafka.client;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The "did you mean …?" of a configuration error: the known name closest to what was written,
 * within a few edits (Levenshtein distance at most 2, or a fifth of the name's length). Shared by
 * mcp-audit's own keys and the Kafka client properties of the passthrough.
 */
public final class NearestName {
  private NearestName() {}

  /**
   * @param canonical how names compare (case, and which separators count alike)
   */
  public static Optional<String> among(
      String written, Collection<String> names, UnaryOperator<String> canonical) {
    String c = canonical.apply(written);
    Map<String, Integer> d = new HashMap<>();
    names.forEach(n -> d.put(n, distance(c, canonical.apply(n))));
    return names.stream()
        .filter(n -> d.get(n) <= Math.max(2, c.length() / 5))
        .min(Comparator.comparingInt(d::get));
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
