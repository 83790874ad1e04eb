package dev.mcpaudit.queryapi.store;

import java.io.IOException;

/**
 * Leaves {@code [from, to)} of one evidence log, read from one point-in-time view: how many records
 * the index holds there (a range bundle is only written when that is all of them), then the records
 * in leaf order.
 */
public interface LeafRange {
  long count();

  /**
   * Hands every record of the range to {@code rows} in leaf order ({@link ExportRows#write(byte[],
   * dev.mcpaudit.index.Provenance, int, long)}), in constant memory.
   *
   * @return how many were written
   */
  long writeTo(ExportRows rows) throws IOException;
}
