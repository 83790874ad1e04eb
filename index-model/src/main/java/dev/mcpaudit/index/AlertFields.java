package dev.mcpaudit.index;

/**
 * The fields of the alerts index (one document per tenant and alert id, the alert's JSON stored
 * whole in {@link #SOURCE}). The detector writes them through the indexer; the API reads them.
 */
public final class AlertFields {
  public static final String ALERT_ID = "alert_id";
  public static final String TYPE = "type";
  public static final String SEVERITY = "severity";

  /**
   * The same field name as an event's tenant: every tenant filter is built one way for both
   * indexes.
   */
  public static final String TENANT = IndexSchema.TENANT;

  public static final String SUBJECT = "subject";
  public static final String ACTOR = "actor";
  public static final String HANDLE = "handle";
  public static final String TOOL = "tool";

  /** Every evidence event id, so "which alerts cite this event" is one term query. */
  public static final String EVIDENCE = "evidence";

  public static final String DETECTED_AT = "detected_at";

  /**
   * The workflow fields an analyst changes (docs/alerts.md): filterable and countable; an alert
   * never changed has none and counts as open and unassigned.
   */
  public static final String STATUS = "status";

  public static final String ASSIGNEE = "assignee";
  public static final String CLOSE_REASON = "close_reason";

  /** The alert's workflow state with its history (JSON), beside the alert's own record. */
  public static final String TRACK = "track";

  /**
   * Set on the record of a changed alert whose alert was not read yet (a rebuild reading the two
   * topics in another order): never an answer, only the state waiting for its alert.
   */
  public static final String TRACK_ONLY = "track_only";

  public static final String SOURCE = IndexSchema.SOURCE_JSON;

  private AlertFields() {}
}
