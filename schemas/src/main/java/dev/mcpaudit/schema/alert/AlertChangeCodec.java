package dev.mcpaudit.schema.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The JSON of alert changes (one record of the alert-changes topic) and of an alert's track (the
 * folded state with its history, as the stores keep it). Reading is strict: every field checked, a
 * bad one named, since the topic can be written by anyone with produce rights.
 */
public final class AlertChangeCodec {
  /** Longest note, in characters. */
  public static final int MAX_NOTE = 2000;

  /** What an assignee may look like: a principal's name, nothing that could hide in a display. */
  public static final Pattern ASSIGNEE = Pattern.compile("[A-Za-z0-9._@:/+=~-]{1,128}");

  private static final Pattern CHANGE_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
  private static final int MAX_ID = 512;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private AlertChangeCodec() {}

  public static byte[] bytes(AlertChange c) {
    try {
      return EventCodec.mapper().writeValueAsBytes(json(c));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ObjectNode json(AlertChange c) {
    ObjectNode o = F.objectNode();
    o.put("change_id", c.changeId());
    o.put("tenant", c.tenant());
    o.put("alert_id", c.alertId());
    o.put("alert_detected_at", Rfc3339.format(c.alertDetectedAt()));
    o.put("version", c.version());
    o.put("at", Rfc3339.format(c.at()));
    o.put("by", c.by());
    o.set("from", json(c.from()));
    o.set("to", json(c.to()));
    o.put("note", c.note());
    return o;
  }

  public static ObjectNode json(AlertState s) {
    ObjectNode o = F.objectNode();
    o.put("status", s.status().wire());
    o.put("assignee", s.assignee());
    o.put("close_reason", s.closeReason() == null ? null : s.closeReason().wire());
    return o;
  }

  /**
   * @throws IllegalArgumentException naming the first field that is missing or wrong
   */
  public static AlertChange read(byte[] json) {
    return read(tree(json));
  }

  private static JsonNode tree(byte[] json) {
    try {
      return EventCodec.mapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "not JSON: "
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                  : e.getMessage()));
    }
  }

  public static AlertChange read(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("an alert change is a JSON object");
    }
    String changeId = text(n, "change_id", true);
    if (!CHANGE_ID.matcher(changeId).matches()) {
      throw new IllegalArgumentException("change_id: letters, digits and '-', at most 64");
    }
    JsonNode version = n.path("version");
    if (!version.isInt()) {
      throw new IllegalArgumentException("version: an integer");
    }
    try {
      return new AlertChange(
          changeId,
          text(n, "tenant", true),
          text(n, "alert_id", true),
          time(n, "alert_detected_at"),
          version.intValue(),
          time(n, "at"),
          text(n, "by", true),
          state(n.path("from"), "from"),
          state(n.path("to"), "to"),
          note(n));
    } catch (NullPointerException e) {
      throw new IllegalArgumentException(e.getMessage() + ": required");
    }
  }

  private static String note(JsonNode n) {
    String note = text(n, "note", false);
    if (note != null && note.length() > MAX_NOTE) {
      throw new IllegalArgumentException("note: at most " + MAX_NOTE + " characters");
    }
    return note;
  }

  static AlertState state(JsonNode n, String field) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(field + ": an object with status, assignee, close_reason");
    }
    String status = text(n, "status", true);
    String assignee = text(n, "assignee", false);
    String reason = text(n, "close_reason", false);
    if (assignee != null && !ASSIGNEE.matcher(assignee).matches()) {
      throw new IllegalArgumentException(field + ".assignee: not a principal name");
    }
    try {
      return new AlertState(
          AlertStatus.parse(status)
              .orElseThrow(() -> new IllegalArgumentException(field + ".status: unknown")),
          assignee,
          reason == null
              ? null
              : CloseReason.parse(reason)
                  .orElseThrow(
                      () -> new IllegalArgumentException(field + ".close_reason: unknown")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          e.getMessage().startsWith(field) ? e.getMessage() : field + "." + e.getMessage());
    }
  }

  /** A track as the stores keep it: version, state, last change, and every change. */
  public static ObjectNode json(AlertTrack t) {
    ObjectNode o = json(t.state());
    o.put("version", t.version());
    o.put("updated_at", t.updatedAt().map(Rfc3339::format).orElse(null));
    o.put("updated_by", t.updatedBy().orElse(null));
    ArrayNode h = o.putArray("history");
    t.history().forEach(c -> h.add(json(c)));
    return o;
  }

  public static byte[] trackBytes(AlertTrack t) {
    try {
      return EventCodec.mapper().writeValueAsBytes(json(t));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A track written by {@link #json(AlertTrack)}: its changes replayed, so it is one the rule
   * allows.
   */
  public static AlertTrack track(byte[] json) {
    JsonNode n = tree(json);
    List<AlertChange> changes = new ArrayList<>();
    n.path("history").forEach(c -> changes.add(read(c)));
    AlertTrack t = AlertTrack.NEW;
    for (AlertChange c : changes) {
      t = t.apply(c).orElseThrow(() -> new IllegalArgumentException("history: not a sequence"));
    }
    return t;
  }

  private static String text(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(field + ": required");
      }
      return null;
    }
    if (!v.isTextual()
        || v.textValue().isEmpty()
        || v.textValue().length() > MAX_ID && !field.equals("note")) {
      throw new IllegalArgumentException(field + ": a non-empty string of at most " + MAX_ID);
    }
    String s = v.textValue();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
        throw new IllegalArgumentException(field + ": control characters are not allowed");
      }
      if (!field.equals("note") && (c == '\n' || c == '\t')) {
        throw new IllegalArgumentException(field + ": control characters are not allowed");
      }
    }
    return s;
  }

  private static Instant time(JsonNode n, String field) {
    String t = text(n, field, true);
    return Rfc3339.parse(t)
        .orElseThrow(() -> new IllegalArgumentException(field + ": an RFC 3339 time"));
  }
}
