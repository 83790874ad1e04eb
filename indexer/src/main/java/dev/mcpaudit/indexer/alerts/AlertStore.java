package dev.mcpaudit.indexer.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@link AlertIngest} keeps alerts: the Lucene alerts index beside the indexer, or the alerts
 * indices of an OpenSearch cluster. One record per (tenant, alert_id), written once.
 */
public interface AlertStore {
  /**
   * Where each partition of the alerts topic resumes, when the store keeps offsets with its data;
   * empty when Kafka's consumer group keeps them.
   */
  Optional<Map<String, Long>> storedOffsets();

  /**
   * The stored JSON of the alert with this tenant and id as of the last {@link #commit}, or null;
   * {@link AlertIngest} remembers its own writes since.
   */
  byte[] find(String tenant, String alertId) throws IOException;

  /** Adds an alert whose (tenant, alert_id) {@link #find} did not know. */
  void add(JsonNode alert, byte[] json) throws IOException;

  /** Makes the alerts added so far durable and findable (with the offsets, if it keeps them). */
  void commit(Map<String, Long> nextOffsets) throws IOException;
}
