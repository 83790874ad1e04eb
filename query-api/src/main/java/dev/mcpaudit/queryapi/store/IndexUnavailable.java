package dev.mcpaudit.queryapi.store;

/** The index cannot be read yet (no commit so far) or any more; worth a retry later. */
public final class IndexUnavailable extends StoreException {
  public IndexUnavailable(String reason) {
    super(reason);
  }
}
