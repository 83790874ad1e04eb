package dev.mcpaudit.queryapi.evidence;

import dev.mcpaudit.index.evidence.LogId;
import dev.mcpaudit.schema.evidence.Checkpoint;
import java.util.List;
import java.util.Optional;

/**
 * The evidence logs as their last commit holds them (README, "Verifiable evidence"): what the API
 * proves records and checkpoints against. Nothing past the commit is ever answered, so no proof
 * leads to a tree a crash could still change.
 */
public interface EvidenceReader {
  /** A signed checkpoint as the log keeps it. */
  record Kept(Checkpoint checkpoint, String note) {}

  /** The committed logs of {@code tenant}, by partition. */
  List<LogId> logs(String tenant);

  /** The committed size of a log (0 when there is none). */
  long size(LogId log);

  /** Every committed checkpoint of a log, oldest first. */
  List<Kept> checkpoints(LogId log);

  /** The newest committed checkpoint of a log. */
  default Optional<Kept> latest(LogId log) {
    List<Kept> all = checkpoints(log);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
  }

  /** The inclusion proof of leaf {@code index} in the log's tree of {@code size} leaves. */
  List<byte[]> inclusion(LogId log, long index, long size);

  /** The consistency proof between two sizes of a log (both at most its committed size). */
  List<byte[]> consistency(LogId log, long from, long to);

  /**
   * The stored perfect subtrees of a log's first {@code size} leaves (at most its committed size),
   * for the many proofs of one tree a bundle makes; held until closed.
   */
  Nodes nodes(LogId log, long size);

  /** A log's stored nodes, open until closed. */
  interface Nodes extends dev.mcpaudit.schema.evidence.PerfectNodes, AutoCloseable {
    @Override
    void close();
  }
}
