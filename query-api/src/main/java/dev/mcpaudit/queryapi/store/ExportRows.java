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
}
