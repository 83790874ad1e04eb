package dev.mcpaudit.index;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka offsets kept in a Lucene commit's user data ({@code kafka:<topic>:<partition>} → next
 * offset): the index and the position it reached become durable in one step, so a restart resumes
 * exactly where the last commit ends. Shared by the events and the alerts index.
 */
public final class CommitOffsets {
  private static final String PREFIX = "kafka:";

  private CommitOffsets() {}

  /** The offsets in a commit's user data (other keys ignored). */
  public static Map<String, Long> read(Iterable<Map.Entry<String, String>> userData) {
    Map<String, Long> out = new TreeMap<>();
    if (userData != null) {
      for (Map.Entry<String, String> e : userData) {
        if (e.getKey().startsWith(PREFIX)) {
          out.put(e.getKey().substring(PREFIX.length()), Long.parseLong(e.getValue()));
        }
      }
    }
    return out;
  }

  /** User data holding the offsets, plus {@code extra} entries. */
  public static Map<String, String> userData(
      Map<String, Long> nextOffsets, Map<String, String> extra) {
    Map<String, String> data = new HashMap<>(extra);
    nextOffsets.forEach((tp, off) -> data.put(PREFIX + tp, Long.toString(off)));
    return data;
  }
}
