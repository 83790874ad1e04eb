package dev.mcpaudit.index.evidence;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a Lucene commit holds of a log: its size (leaves) and how many bytes of its checkpoints
 * file. The files may hold more (written before a crash, never committed): readers stop here, and
 * the indexer cuts them back to this when it opens the index.
 */
public record Committed(long size, long checkpointBytes) {
  /** Every log of a commit's user data. */
  public static Map<LogId, Committed> read(Iterable<Map.Entry<String, String>> userData) {
    Map<LogId, Committed> out = new TreeMap<>();
    if (userData != null) {
      for (Map.Entry<String, String> e : userData) {
        LogId id = LogId.fromCommitKey(e.getKey());
        if (id != null) {
          String[] v = e.getValue().split(" ");
          out.put(id, new Committed(Long.parseLong(v[0]), Long.parseLong(v[1])));
        }
      }
    }
    return out;
  }

  public String value() {
    return size + " " + checkpointBytes;
  }
}
