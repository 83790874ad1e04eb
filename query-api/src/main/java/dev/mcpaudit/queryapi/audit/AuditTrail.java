package dev.mcpaudit.queryapi.audit;

/**
 * Audit of the auditors: every authorization decision the API makes (allow and deny) becomes a
 * decision event of the same contract, tenant {@code _system}, readable by admin tokens.
 */
public interface AuditTrail {
  /**
   * @param principal who asked ({@code anonymous} without a usable token)
   * @param endpoint the API operation, e.g. {@code api.decisions.search}
   * @param allowed whether the request was let through
   * @param reasonCode ALLOWED, CREDENTIAL_MISSING, CREDENTIAL_INVALID, POLICY_DENY, ...
   * @param reason free text, safe to store (never the token)
   */
  void record(String principal, String endpoint, boolean allowed, String reasonCode, String reason);

  AuditTrail NONE = (principal, endpoint, allowed, reasonCode, reason) -> { };
}
