package dev.mcpaudit.schema.alert;

import java.util.Objects;

/**
 * An alert's workflow fields at one version: status, who has it, and why it was closed (only while
 * closed).
 *
 * @param assignee the principal working on it, or null
 * @param closeReason set exactly while {@code status} is closed
 */
public record AlertState(AlertStatus status, String assignee, CloseReason closeReason) {
  /** Every alert's state before anyone touched it. */
  public static final AlertState NEW = new AlertState(AlertStatus.OPEN, null, null);

  public AlertState {
    Objects.requireNonNull(status, "status");
    if ((status == AlertStatus.CLOSED) != (closeReason != null)) {
      throw new IllegalArgumentException(
          "close_reason: set exactly when the status is closed, got status "
              + status.wire()
              + " with "
              + (closeReason == null ? "none" : closeReason.wire()));
    }
  }
}
