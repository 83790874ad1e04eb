package dev.mcpaudit.queryapi.search;

import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.event.Rfc3339;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The opaque {@code next_cursor}: the sort key of the last event of a page (occurred_at, then
 * event_id). A key, not a position, so pages stay exact while new events arrive.
 *
 * <p>The text is {@code base64url(v2|millis|event_id).base64url(mac)}, the MAC an HMAC-SHA256 of
 * the key, the query text and the tenant the page was asked with (truncated to 128 bits). A
 * cursor made by hand, edited, or carried to another query is refused before any value in it is
 * used; one that is authentic is still range-checked against the request (its time inside the
 * window, its id shaped like an event id), because the key may be shared between replicas.
 */
record Cursor(long occurredAt, String eventId) {
  private static final String VERSION = "v2";
  /** Far longer than any cursor this API issues (an event id is at most 256 characters). */
  private static final int MAX_TEXT = 1024;
  private static final int MAC_BYTES = 16;
  private static final int MAX_ID = 256;

  /** What a cursor is bound to: the key and the query it belongs to. */
  record Binding(CursorKey key, String q, String tenant) {
    byte[] mac(byte[] payload) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.bytes(), "HmacSHA256"));
        mac.update(payload);
        // Lengths first, so no two (q, tenant) pairs feed the MAC the same bytes.
        for (String part : new String[] {norm(q), norm(tenant)}) {
          byte[] b = part.getBytes(StandardCharsets.UTF_8);
          mac.update(new byte[] {0, (byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8), (byte) b.length});
          mac.update(b);
        }
        return Arrays.copyOf(mac.doFinal(), MAC_BYTES);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
      }
    }

    private static String norm(String s) {
      return s == null ? "" : s.strip();
    }
  }

  String encode(Binding binding) {
    byte[] payload = (VERSION + "|" + occurredAt + "|" + eventId).getBytes(StandardCharsets.UTF_8);
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString(payload) + "." + b64.encodeToString(binding.mac(payload));
  }

  /** The cursor, if {@code token} is one this API issued for this query and it falls inside {@code range}. */
  static Cursor decode(String token, Binding binding, TimeRange range) {
    if (token.length() > MAX_TEXT) {
      throw invalid();
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      throw invalid();
    }
    byte[] payload;
    byte[] mac;
    try {
      payload = Base64.getUrlDecoder().decode(token.substring(0, dot));
      mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    if (!MessageDigest.isEqual(mac, binding.mac(payload))) {
      throw ProblemException.badRequest("cursor: not a cursor this API issued for this query (q and tenant as on the page"
          + " that returned it); pass next_cursor unchanged, or start again without cursor");
    }
    String[] parts = new String(payload, StandardCharsets.UTF_8).split("\\|", 3);
    if (parts.length != 3 || !parts[0].equals(VERSION) || !validId(parts[2]) || !parts[1].matches("-?\\d{1,19}")) {
      throw invalid();
    }
    long millis;
    try {
      millis = Long.parseLong(parts[1]);
    } catch (NumberFormatException e) {
      throw invalid();
    }
    if (millis < range.from().toEpochMilli() || millis >= range.to().toEpochMilli()) {
      throw ProblemException.badRequest("cursor: points at " + Rfc3339.format(Instant.ofEpochMilli(millis))
          + ", outside this request's window (from " + Rfc3339.format(range.from()) + " to " + Rfc3339.format(range.to())
          + "); start again without cursor");
    }
    return new Cursor(millis, parts[2]);
  }

  /** Shaped like an event id of the contract: 1-256 characters, no whitespace or control characters. */
  private static boolean validId(String id) {
    if (id.isEmpty() || id.length() > MAX_ID) {
      return false;
    }
    return id.codePoints().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c));
  }

  private static ProblemException invalid() {
    return ProblemException.badRequest("cursor: not a cursor this API issued; pass next_cursor unchanged");
  }
}
