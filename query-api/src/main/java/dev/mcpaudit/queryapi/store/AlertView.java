package dev.mcpaudit.queryapi.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.alert.AlertChangeCodec;
import dev.mcpaudit.schema.alert.AlertTrack;
import dev.mcpaudit.schema.alert.CloseReason;
import dev.mcpaudit.schema.event.Rfc3339;
import java.time.Instant;

/**
 * An alert as the API answers it: the alert as the detector wrote it, with its workflow {@code
 * state} beside it (status, assignee, close reason, version, last change; the history of changes
 * when one alert is asked for) and the {@code previous} alert of the same type and subject, if the
 * detector raised one before: a re-raised case shows how the earlier one ended (docs/alerts.md).
 * The stores differ in how they find these; the answer is built here once.
 */
public final class AlertView {
  private AlertView() {}

  /** The alert raised before this one for the same tenant, type and subject. */
  public record Previous(String alertId, Instant detectedAt, AlertTrack track) {}

  public static ObjectNode of(
      JsonNode alert, AlertTrack track, Previous previous, boolean withHistory) {
    ObjectNode out = alert.deepCopy();
    ObjectNode state = AlertChangeCodec.json(track);
    if (!withHistory) {
      state.remove("history");
    }
    out.set("state", state);
    if (previous == null) {
      out.putNull("previous");
    } else {
      ObjectNode p = out.putObject("previous");
      p.put("alert_id", previous.alertId());
      p.put("detected_at", Rfc3339.format(previous.detectedAt()));
      p.put("status", previous.track().state().status().wire());
      CloseReason reason = previous.track().state().closeReason();
      p.put("close_reason", reason == null ? null : reason.wire());
      p.put("false_positive", reason == CloseReason.FALSE_POSITIVE);
    }
    return out;
  }
}
