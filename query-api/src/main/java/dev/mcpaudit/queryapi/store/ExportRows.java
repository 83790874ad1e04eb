package dev.mcpaudit.queryapi.store;

import dev.mcpaudit.index.Provenance;
import java.io.IOException;

/** Where an export's events go, one at a time, oldest first. */
@FunctionalInterface
public interface ExportRows {
  /**
   * @param storedJson the event exactly as stored
   * @param provenance how it arrived, or null for events indexed before provenance was recorded (a
   *     per-row Optional is avoided on the export's hot path)
   */
  void write(byte[] storedJson, Provenance provenance) throws IOException;

  /**
   * Whether the rows want each record's place in its evidence log too ({@link #write(byte[],
   * Provenance, int, long)}): evidence bundles do; reading it costs the other exports time.
   */
  default boolean wantsPositions() {
    return false;
  }

  /**
   * A row with its Kafka partition (its log) and its leaf in that log (-1 when it is in none);
   * called instead of {@link #write(byte[], Provenance)} when {@link #wantsPositions}.
   */
  default void write(byte[] storedJson, Provenance provenance, int partition, long leaf)
      throws IOException {
    write(storedJson, provenance);
  }
}
