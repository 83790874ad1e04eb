package dev.mcpaudit.queryapi.audit;

/**
 * Audit of the auditors: every authorization decision the API makes (allow and deny) becomes a
 * decision event of the same contract, tenant {@code _system}, readable by admin tokens. Decisions
 * about an authenticated caller are recorded one by one; requests without a usable credential are
 * counted and recorded as one event per source address, operation and reason per window, so a flood
 * of them cannot grow the trail (README, "The query API").
 */
public interface AuditTrail {
  /**
   * A decision about an authenticated caller.
   *
   * @param principal who asked (recorded in a safe form if the contract would refuse it as is)
   * @param endpoint the API operation, e.g. {@code api.decisions.search}
   * @param allowed whether the request was let through
   * @param reasonCode ALLOWED, POLICY_DENY, ...
   * @param reason free text, safe to store (never the token)
   */
  void record(String principal, String endpoint, boolean allowed, String reasonCode, String reason);

  /**
   * A request refused before anyone was authenticated (no token, or one that is not valid).
   *
   * @param sourceAddress the peer address of the connection (never a forwarded-for header, which
   *     the client writes)
   * @param reasonCode CREDENTIAL_MISSING or CREDENTIAL_INVALID
   * @param reason why, safe to store (never the token)
   */
  void refused(String sourceAddress, String endpoint, String reasonCode, String reason);

  /**
   * A change the caller made (an alert's workflow state), recorded as an allowed decision with what
   * it changed.
   *
   * @param summary one line, safe to store
   * @param attributes what changed, field by field (recorded in a safe, bounded form)
   */
  default void changed(
      String principal,
      String endpoint,
      String summary,
      java.util.Map<String, String> attributes) {}

  AuditTrail NONE =
      new AuditTrail() {
        @Override
        public void record(
            String principal, String endpoint, boolean allowed, String reasonCode, String reason) {}

        @Override
        public void refused(
            String sourceAddress, String endpoint, String reasonCode, String reason) {}
      };
}
