package dev.mcpaudit.queryapi.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Values from a credential or a request, in a form the event contract accepts. A principal comes
 * from a token (an OIDC {@code sub} can be any string the identity provider signed): one the
 * contract's {@code actor.id} would refuse (over 256 characters, whitespace, control or format
 * characters) is never dropped but recorded escaped, cut, and marked with a digest of the whole
 * value, so two different principals never share a record and the original can be matched.
 */
public final class AuditText {
  /** actor.id in the contract: 1-256 characters. */
  static final int ID_MAX = 256;

  /** reason in the contract: 1-1024 printable characters. */
  static final int TEXT_MAX = 1024;

  static final String DIGEST_MARK = "~sha256:";
  private static final int DIGEST_HEX = 16;

  private AuditText() {}

  /** The principal as recorded: itself when the contract accepts it, else its safe form. */
  public static String principal(String raw) {
    if (raw == null || raw.isBlank()) {
      return "anonymous";
    }
    if (raw.codePointCount(0, raw.length()) <= ID_MAX
        && raw.codePoints().noneMatch(AuditText::unsafeInId)) {
      return raw;
    }
    String suffix = DIGEST_MARK + sha256(raw).substring(0, DIGEST_HEX);
    StringBuilder b = new StringBuilder();
    int room = ID_MAX - suffix.length();
    for (int i = 0; i < raw.length(); ) {
      int c = raw.codePointAt(i);
      i += Character.charCount(c);
      String piece = unsafeInId(c) || c == '\\' ? escape(c) : new String(Character.toChars(c));
      if (b.codePointCount(0, b.length()) + piece.codePointCount(0, piece.length()) > room) {
        break; // an escape is never cut in half
      }
      b.append(piece);
    }
    return b.append(suffix).toString();
  }

  /**
   * Free text as recorded: control and format characters escaped, cut to the contract's length;
   * null if empty.
   */
  public static String reason(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    int room = TEXT_MAX - 3;
    for (int i = 0; i < raw.length(); ) {
      int c = raw.codePointAt(i);
      i += Character.charCount(c);
      String piece = unsafeInText(c) ? escape(c) : new String(Character.toChars(c));
      if (b.codePointCount(0, b.length()) + piece.codePointCount(0, piece.length()) > room) {
        return b.append("...").toString();
      }
      b.append(piece);
    }
    return b.toString();
  }

  private static boolean unsafeInText(int c) {
    int type = Character.getType(c);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.SURROGATE
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.UNASSIGNED;
  }

  private static boolean unsafeInId(int c) {
    return unsafeInText(c) || Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  private static String escape(int c) {
    return c == '\\'
        ? "\\\\"
        : c <= 0xFFFF ? String.format("\\u%04x", c) : String.format("\\U%06x", c);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
