package dev.mcpaudit.schema.event;

/** Tenant names the contract gives a meaning of their own. */
public final class Tenants {
  /**
   * mcp-audit's own audit trail: the API's decisions about its callers. Only the API's audit
   * publisher writes it and only admins read it; no source credential can write it, whatever its
   * scope says (docs/architecture.md, "Sources and their scope").
   */
  public static final String SYSTEM = "_system";

  private Tenants() {}
}
