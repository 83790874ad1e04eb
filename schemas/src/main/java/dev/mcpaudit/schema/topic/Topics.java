package dev.mcpaudit.schema.topic;

import java.util.List;
import java.util.Objects;

/**
 * The Kafka topics (docs/architecture.md, "Topics"). Names are configurable; these are the defaults
 * every role and publisher agrees on. Decisions are keyed by handle id (else actor id) so one
 * handle's whole life is in one partition, in order.
 */
public record Topics(String decisions, String deadLetter, String alerts, String alertChanges) {
  public static final String DEFAULT_DECISIONS = "mcp.authz.decisions";
  public static final String DEFAULT_DEAD_LETTER = "mcp.authz.decisions.dlq";
  public static final String DEFAULT_ALERTS = "mcp.authz.alerts";

  /**
   * Analysts' changes to alerts (docs/alerts.md): compacted, one partition, created by the API with
   * those settings, so it is not among {@link #all()}.
   */
  public static final String DEFAULT_ALERT_CHANGES = "mcp.authz.alert-changes";

  /**
   * Analysts' alert rules (README, "Alert rules"): compacted, one partition, keyed by rule id,
   * written by the API (stamped) and read whole by every detector and API replica.
   */
  public static final String DEFAULT_RULES = "mcp.authz.rules";

  /** Signed checkpoints of the evidence logs (README, "Verifiable evidence"). */
  public static final String DEFAULT_CHECKPOINTS = "mcp.authz.checkpoints";

  /** Dead-letter record headers: what was wrong, when, and who sent it. */
  public static final String HEADER_ERROR = "error";

  public static final String HEADER_ERROR_AT = "error_at";
  public static final String HEADER_SOURCE = "source";

  /**
   * Set on a dead letter whose input was too large to keep whole: the value is a prefix, and the
   * input's full length and SHA-256 (hex) are in the two headers below.
   */
  public static final String HEADER_TRUNCATED = "truncated";

  public static final String HEADER_ORIGINAL_LENGTH = "original_length";
  public static final String HEADER_ORIGINAL_SHA256 = "original_sha256";

  /**
   * Set on a dead letter refused as a conflicting duplicate: where the recorded first version of
   * the same (tenant, event_id) came from (partition and offset of the decisions topic).
   */
  public static final String HEADER_STORED_PARTITION = "stored_partition";

  public static final String HEADER_STORED_OFFSET = "stored_offset";

  public Topics {
    Objects.requireNonNull(decisions, "decisions");
    Objects.requireNonNull(deadLetter, "deadLetter");
    Objects.requireNonNull(alerts, "alerts");
    Objects.requireNonNull(alertChanges, "alertChanges");
  }

  public Topics(String decisions, String deadLetter, String alerts) {
    this(decisions, deadLetter, alerts, DEFAULT_ALERT_CHANGES);
  }

  public static Topics defaults() {
    return new Topics(DEFAULT_DECISIONS, DEFAULT_DEAD_LETTER, DEFAULT_ALERTS);
  }

  /** The topics every role may create alike (partitions and replication from the settings). */
  public List<String> all() {
    return List.of(decisions, deadLetter, alerts);
  }
}
