package dev.mcpaudit.queryapi.triage;

import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.schema.alert.AlertState;
import dev.mcpaudit.schema.alert.AlertStatus;
import dev.mcpaudit.schema.alert.CloseReason;

/**
 * What an analyst asks to change on an alert: each part null when it is to stay as it is.
 *
 * @param assign whether {@code assignee} is to be set ({@code assignee} null then unassigns)
 * @param note appended to the alert's history with the change
 */
public record Patch(
    AlertStatus status, boolean assign, String assignee, CloseReason closeReason, String note) {

  public boolean empty() {
    return status == null && !assign && closeReason == null && note == null;
  }

  /**
   * The state after this patch (docs/alerts.md, "Lifecycle"): open, acknowledged and closed move
   * into one another except that a closed alert is reopened before it is acknowledged; closing
   * needs a reason; a reason alone reclassifies a closed alert.
   *
   * @throws InvalidQuery naming the field when the patch does not apply to {@code current}
   */
  public AlertState applyTo(AlertState current) {
    AlertStatus nextStatus = status == null ? current.status() : status;
    CloseReason reason;
    if (nextStatus == AlertStatus.CLOSED) {
      reason = closeReason != null ? closeReason : current.closeReason();
      if (reason == null) {
        throw new InvalidQuery("close_reason: required to close, one of " + reasons());
      }
    } else {
      if (closeReason != null) {
        throw new InvalidQuery(
            "close_reason: only when closing, or on a closed alert; this one would be "
                + nextStatus.wire());
      }
      reason = null;
    }
    if (status == AlertStatus.ACKNOWLEDGED && current.status() == AlertStatus.CLOSED) {
      throw new InvalidQuery(
          "status: a closed alert is reopened (status open) before it is acknowledged");
    }
    return new AlertState(nextStatus, assign ? assignee : current.assignee(), reason);
  }

  static String reasons() {
    StringBuilder b = new StringBuilder();
    for (CloseReason r : CloseReason.values()) {
      b.append(b.isEmpty() ? "" : ", ").append(r.wire());
    }
    return b.toString();
  }
}
