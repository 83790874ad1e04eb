package dev.mcpaudit.indexer.alerts;

import dev.mcpaudit.schema.alert.AlertTrack;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where {@link AlertIngest} keeps alerts and their workflow state: the Lucene alerts index beside
 * the indexer, or the alerts indices of an OpenSearch cluster. One record per (tenant, alert_id):
 * the alert as the detector wrote it (written once, never replaced) and its track, which the
 * alert-changes topic moves forward.
 */
public interface AlertStore {
  /**
   * What is kept of one alert.
   *
   * @param alert the alert's JSON as the detector wrote it, or null while only its track is known
   * @param detectedAt the alert's detection time (from the alert, or from its changes until then)
   */
  record Recorded(
      String tenant,
      String alertId,
      Instant detectedAt,
      byte[] alert,
      AlertTrack track,
      Logged logged) {
    public Recorded {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(alertId, "alertId");
      Objects.requireNonNull(detectedAt, "detectedAt");
      Objects.requireNonNull(track, "track");
    }

    public Recorded(
        String tenant, String alertId, Instant detectedAt, byte[] alert, AlertTrack track) {
      this(tenant, alertId, detectedAt, alert, track, null);
    }

    /** The same record with another track; its alert and leaf stay. */
    public Recorded withTrack(AlertTrack next) {
      return new Recorded(tenant, alertId, detectedAt, alert, next, logged);
    }
  }

  /**
   * Where an alert's record is in its tenant's alert log (README, "Evidence bundles"): the alerts
   * topic's partition, its leaf, and the provenance its leaf was hashed with.
   */
  record Logged(int partition, long leaf, String kind, String by) {}

  /** Whether this store keeps alert logs ({@link #appendLeaf}). */
  default boolean keepsEvidence() {
    return false;
  }

  /**
   * Appends an alert's leaf to the log of its tenant and alerts-topic partition, in the topic's
   * order; returns its leaf index.
   */
  default long appendLeaf(String tenant, int partition, byte[] leafHash) {
    throw new UnsupportedOperationException("this alert store keeps no evidence log");
  }

  /** Whether a log that grew is due a checkpoint (a commit makes it). */
  default boolean checkpointDue() {
    return false;
  }

  /**
   * Where each partition of the alert topics resumes, when the store keeps offsets with its data;
   * empty when Kafka's consumer group keeps them.
   */
  Optional<Map<String, Long>> storedOffsets();

  /**
   * What is recorded for this tenant and id as of the last {@link #commit}, or null; {@link
   * AlertIngest} remembers its own writes since.
   */
  Recorded find(String tenant, String alertId) throws IOException;

  /**
   * Records an alert, its track, or both, in place of what {@link #find} returned. The alert's
   * bytes, once recorded, are passed back unchanged.
   */
  void write(Recorded record) throws IOException;

  /** Makes the writes so far durable and findable (with the offsets, if it keeps them). */
  void commit(Map<String, Long> nextOffsets) throws IOException;
}
