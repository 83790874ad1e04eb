package dev.mcpaudit.detector.topology;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * An event an analyst's rule matched, on its way to the task that counts the rule's group: the rule
 * by id (its thresholds are read where it is counted, so an edit applies to events in flight), the
 * group, and the event's observation (time, watermark, source partition, who and what).
 */
record RuleHit(String ruleId, String subject, Observation event) {
  static final Serde<RuleHit> SERDE =
      Serdes.serdeFrom(
          (topic, hit) -> hit == null ? null : write(hit), (topic, bytes) -> read(bytes));

  private static byte[] write(RuleHit hit) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      DataOutputStream d = new DataOutputStream(out);
      d.writeUTF(hit.ruleId);
      d.writeUTF(hit.subject);
      byte[] o = ObservationSerde.INSTANCE.serializer().serialize(null, hit.event);
      d.writeInt(o.length);
      d.write(o);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RuleHit read(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(bytes));
      String rule = d.readUTF();
      String subject = d.readUTF();
      byte[] o = new byte[d.readInt()];
      d.readFully(o);
      return new RuleHit(
          rule, subject, ObservationSerde.INSTANCE.deserializer().deserialize(null, o));
    } catch (IOException | RuntimeException e) {
      throw new org.apache.kafka.common.errors.SerializationException("not a rule hit", e);
    }
  }
}
