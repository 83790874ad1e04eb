package dev.mcpaudit.detector.topology;

import dev.mcpaudit.kafka.stamp.StampKind;
import dev.mcpaudit.kafka.stamp.Stamps;
import dev.mcpaudit.schema.alert.Alert;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes alerts to the alerts topic with the detector's stamp (docs/provenance.md): the indexer and
 * the webhook sink take no alert without one. Streams hands the serializer the headers the record
 * is produced with, which still carry whatever the decision that raised the alert carried; its
 * stamp is replaced, so a decision's stamp never travels on an alert.
 */
final class StampedAlerts implements Serializer<Alert> {
  private final Serializer<Alert> json;
  private final Stamps stamps;

  StampedAlerts(Serializer<Alert> json, Stamps stamps) {
    this.json = json;
    this.stamps = stamps;
  }

  @Override
  public byte[] serialize(String topic, Alert alert) {
    return json.serialize(topic, alert);
  }

  @Override
  public byte[] serialize(String topic, Headers headers, Alert alert) {
    byte[] bytes = json.serialize(topic, alert);
    if (headers != null) {
      headers.remove(Stamps.HEADER);
      if (bytes != null) {
        stamps.stamp(headers, StampKind.DETECTOR, bytes);
      }
    }
    return bytes;
  }
}
