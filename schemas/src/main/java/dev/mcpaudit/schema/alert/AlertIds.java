package dev.mcpaudit.schema.alert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An alert's id: a digest of type, tenant, subject and the event time its incident is anchored at,
 * so the detector re-emits the same id after a crash, and a preview over stored events names the
 * alert the live rule raised.
 */
public final class AlertIds {
  private AlertIds() {}

  public static String of(AlertType type, String tenant, String subject, long anchor) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest =
          sha.digest(
              (type + "\u001f" + tenant + "\u001f" + subject + "\u001f" + anchor)
                  .getBytes(StandardCharsets.UTF_8));
      return "al-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
