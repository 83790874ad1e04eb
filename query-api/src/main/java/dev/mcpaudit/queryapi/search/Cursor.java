package dev.mcpaudit.queryapi.search;

import dev.mcpaudit.runtime.http.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque {@code next_cursor}: the sort key of the last event of a page (occurred_at, then
 * event_id). A key, not a position, so pages stay exact while new events arrive.
 */
record Cursor(long occurredAt, String eventId) {
  String encode() {
    String s = "v1|" + occurredAt + "|" + eventId;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static Cursor decode(String token) {
    try {
      String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = s.split("\\|", 3);
      if (parts.length != 3 || !parts[0].equals("v1") || parts[2].isEmpty()) {
        throw new IllegalArgumentException("shape");
      }
      return new Cursor(Long.parseLong(parts[1]), parts[2]);
    } catch (IllegalArgumentException e) {
      throw ProblemException.badRequest("cursor: not a cursor this API issued; pass next_cursor unchanged");
    }
  }
}
