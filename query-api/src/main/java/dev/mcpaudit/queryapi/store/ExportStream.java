package dev.mcpaudit.queryapi.store;

import java.io.IOException;

/**
 * An export whose query is already parsed and checked, so a bad query is refused before the first
 * byte goes out; nothing is read until {@link #writeTo}.
 */
public interface ExportStream {
  /**
   * Reads every matching event, oldest first, over one point-in-time view of the store, in constant
   * memory, and hands each to {@code rows}.
   *
   * @return how many events were written
   * @throws IOException when {@code rows} fails (the client went away) or the store cannot be read
   */
  long writeTo(ExportRows rows) throws IOException;
}
