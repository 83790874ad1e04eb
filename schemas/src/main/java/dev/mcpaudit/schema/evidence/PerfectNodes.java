package dev.mcpaudit.schema.evidence;

/**
 * Where a log's perfect subtrees are read from: the hash of the {@code 2^level} leaves starting at
 * {@code index << level}. Every root and proof of the log is made of these ({@link TreeProofs}).
 */
@FunctionalInterface
public interface PerfectNodes {
  /**
   * @throws IllegalArgumentException when that subtree is not complete in the log
   * @throws java.io.UncheckedIOException when the log's storage cannot be read
   */
  byte[] node(int level, long index);
}
