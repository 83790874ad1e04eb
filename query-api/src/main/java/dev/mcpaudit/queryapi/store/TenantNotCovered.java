package dev.mcpaudit.queryapi.store;

/** The caller asked for a tenant its token does not cover. */
public final class TenantNotCovered extends StoreException {
  private final String tenant;

  public TenantNotCovered(String tenant) {
    super("this token does not cover tenant '" + tenant + "'");
    this.tenant = tenant;
  }

  public String tenant() {
    return tenant;
  }
}
