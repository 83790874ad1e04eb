package dev.mcpaudit.opensearch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertState;
import dev.mcpaudit.schema.alert.AlertTrack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.util.BytesRef;

/**
 * The OpenSearch documents. A decision's is made from the Lucene document {@link IndexSchema}
 * builds, field by field, so both backends index exactly the same values: what Lucene indexes as a
 * term becomes a keyword or text value, what it keeps as a number a number, and the stored event is
 * written through unparsed under {@link DecisionMapping#EVENT}.
 */
public final class Documents {
  private static final JsonFactory JSON = new JsonFactory();

  /** Fields whose value is a number (epoch milliseconds, microseconds, Kafka positions). */
  private static final Set<String> NUMBERS;

  static {
    java.util.HashSet<String> n = new java.util.HashSet<>(IndexSchema.TIMES);
    n.addAll(
        List.of(
            IndexSchema.INGESTED_AT,
            IndexSchema.LATENCY_US,
            IndexSchema.KAFKA_PARTITION,
            IndexSchema.KAFKA_OFFSET,
            IndexSchema.EVIDENCE_LEAF,
            IndexSchema.EVIDENCE_POSITION));
    NUMBERS = Set.copyOf(n);
  }

  /** Fields that may hold several values, written as arrays. */
  private static final Set<String> MULTI =
      Set.of(IndexSchema.HANDLE_SCOPES, IndexSchema.ATTRIBUTES);

  private Documents() {}

  /** The JSON of a decision's document, from the Lucene document of the same event. */
  public static byte[] decision(Document lucene) {
    Map<String, Object> values = new LinkedHashMap<>();
    BytesRef event = null;
    for (IndexableField f : lucene.getFields()) {
      String name = f.name();
      if (name.equals(IndexSchema.SOURCE_JSON)) {
        event = f.binaryValue();
      } else if (NUMBERS.contains(name)) {
        if (f.numericValue() != null) {
          values.putIfAbsent(name, f.numericValue().longValue());
        }
      } else if (f.fieldType().indexOptions() != IndexOptions.NONE && f.stringValue() != null) {
        if (MULTI.contains(name)) {
          @SuppressWarnings("unchecked")
          List<String> list = (List<String>) values.computeIfAbsent(name, k -> new ArrayList<>());
          list.add(f.stringValue());
        } else {
          values.putIfAbsent(name, f.stringValue());
        }
      }
    }
    if (event == null) {
      throw new IllegalArgumentException("a decision document without its stored event");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(event.length + 512);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      for (Map.Entry<String, Object> e : values.entrySet()) {
        g.writeFieldName(DecisionMapping.path(e.getKey()));
        switch (e.getValue()) {
          case Long l -> g.writeNumber(l);
          case String s -> g.writeString(s);
          case List<?> list -> {
            g.writeStartArray();
            for (Object v : list) {
              g.writeString((String) v);
            }
            g.writeEndArray();
          }
          default -> throw new IllegalStateException("unexpected value of " + e.getKey());
        }
      }
      g.writeFieldName(DecisionMapping.EVENT);
      g.writeRawValue(oneLine(event.bytes, event.offset, event.length));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * A record's bytes as a document holds them ({@link #oneLine}): what its evidence leaf is made of
   * on a cluster. The same array when it has no line break, as records almost always are.
   */
  public static byte[] storedEvent(byte[] json) {
    for (byte b : json) {
      if (b == '\n' || b == '\r') {
        return oneLine(json, 0, json.length).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return json;
  }

  /**
   * JSON as one line: a bulk request is one document per line. A line break in JSON can only be
   * whitespace between tokens (inside a string it is escaped), so it becomes a space.
   */
  static String oneLine(byte[] json, int offset, int length) {
    String s = new String(json, offset, length, java.nio.charset.StandardCharsets.UTF_8);
    return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : s.replace('\n', ' ').replace('\r', ' ');
  }

  /** The JSON of an alert's document, from the alert as the detector wrote it. */
  public static byte[] alert(JsonNode alert, byte[] json) {
    return alert(
        alert.path(AlertFields.TENANT).asText(),
        alert.path(AlertFields.ALERT_ID).asText(),
        Instant.parse(alert.path(AlertFields.DETECTED_AT).asText()),
        alert,
        json,
        AlertTrack.NEW);
  }

  /**
   * The JSON of an alert's document with its workflow state; {@code alert} and {@code json} null
   * while only the state is known ({@link AlertFields#TRACK_ONLY}).
   */
  public static byte[] alert(
      String tenant,
      String alertId,
      Instant detectedAt,
      JsonNode alert,
      byte[] json,
      AlertTrack track) {
    ByteArrayOutputStream out = new ByteArrayOutputStream((json == null ? 0 : json.length) + 256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField(AlertFields.TENANT, tenant);
      g.writeStringField(AlertFields.ALERT_ID, alertId);
      if (alert != null) {
        for (String f : DecisionMapping.ALERT_KEYWORDS) {
          if (!f.equals(AlertFields.TENANT)
              && !f.equals(AlertFields.ALERT_ID)
              && alert.hasNonNull(f)) {
            g.writeStringField(f, alert.get(f).asText());
          }
        }
        g.writeArrayFieldStart(AlertFields.EVIDENCE);
        for (JsonNode e : alert.path(AlertFields.EVIDENCE)) {
          g.writeString(e.asText());
        }
        g.writeEndArray();
      } else {
        g.writeBooleanField(AlertFields.TRACK_ONLY, true);
      }
      g.writeNumberField(AlertFields.DETECTED_AT, detectedAt.toEpochMilli());
      AlertState state = track.state();
      g.writeStringField(AlertFields.STATUS, state.status().wire());
      if (state.assignee() != null) {
        g.writeStringField(AlertFields.ASSIGNEE, state.assignee());
      }
      if (state.closeReason() != null) {
        g.writeStringField(AlertFields.CLOSE_REASON, state.closeReason().wire());
      }
      if (track.version() > 0) {
        g.writeFieldName(AlertFields.TRACK);
        byte[] t = AlertChangeCodec.trackBytes(track);
        g.writeRawValue(oneLine(t, 0, t.length));
      }
      if (json != null) {
        g.writeFieldName(DecisionMapping.ALERT);
        g.writeRawValue(oneLine(json, 0, json.length));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
