package dev.mcpaudit.queryapi.store;

/** The caller already has as many searches running or waiting as it may. */
public final class TooManySearches extends StoreException {
  public TooManySearches(int most) {
    super(
        "this token already has " + most + " searches running or waiting; wait for one to finish");
  }
}
