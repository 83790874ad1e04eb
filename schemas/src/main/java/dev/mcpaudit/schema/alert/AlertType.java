package dev.mcpaudit.schema.alert;

/**
 * What the detector (or the indexer) saw; the README's "The detector" says when each fires and what
 * its subject is.
 */
public enum AlertType {
  /** The same request nonce in two or more decisions with different event ids. */
  REPLAY,
  /** An allow for a handle revoked before the decision (by occurred_at). */
  REVOKED_HANDLE_USE,
  /** An allow after the handle's expires_at. */
  EXPIRED_HANDLE_USE,
  /** N or more denies for one actor within a window. */
  DENY_BURST,
  /** Allow and deny for the same handle and tool from different workers within a window. */
  INCONSISTENT_DECISION,
  /**
   * An event dated further ahead of the detector's clock than {@code detector.max-future-skew}: a
   * source whose clock is wrong, or one trying to move event time. Subject: the source gateway (and
   * worker).
   */
  FUTURE_TIMESTAMP,
  /**
   * Raised by the indexer: an event whose (tenant, event_id) is already recorded arrived again with
   * different content. The first version stays the record; the other is on the dead-letter topic.
   */
  CONFLICTING_DUPLICATE,
  /**
   * Raised by an analyst's rule (README, "Alert rules"): enough events matching its query, per its
   * group, within its window. Subject: the group's values (or the rule's id without a group); the
   * alert names the rule.
   */
  CUSTOM_RULE
}
