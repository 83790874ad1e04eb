package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.runtime.http.LogText;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The request parameters every endpoint shares, checked at the edge: a malformed value is a 400
 * problem+json naming the parameter, whatever the layer behind would have done with it (README,
 * "The query API"). Values echoed in a message are cut short and their control characters escaped,
 * so a 100 KB parameter is not sent back whole.
 */
final class Params {
  /**
   * As the event contract's ids: no whitespace or control characters (a keyword matches whole
   * values).
   */
  private static final Pattern ID = Pattern.compile("^[^\\s\\x00-\\x1F\\x7F-\\x9F]+$");

  private static final int ID_MAX = 256;

  /** As the contract's event_id. */
  private static final Pattern EVENT_ID = Pattern.compile("^[A-Za-z0-9._:-]{1,128}$");

  /** As the contract's tenant: 1-64 characters without control characters. */
  private static final Pattern TENANT = Pattern.compile("^[^\\x00-\\x1F\\x7F-\\x9F]{1,64}$");

  private Params() {}

  /** A value as shown back in an error message. */
  /**
   * The request's body as one JSON object of at most {@code max} bytes: 413 past it, 400 when it is
   * not JSON or not an object ({@code expected} says what it should hold).
   */
  static com.fasterxml.jackson.databind.JsonNode jsonObject(
      io.javalin.http.Context ctx, int max, String what, String expected) {
    byte[] raw = ctx.bodyAsBytes();
    if (raw.length > max) {
      throw new dev.mcpaudit.runtime.http.ProblemException(
          413, "Content Too Large", "a " + what + " body is at most " + max + " bytes");
    }
    com.fasterxml.jackson.databind.JsonNode n;
    try {
      n = dev.mcpaudit.schema.event.EventCodec.mapper().readTree(raw);
    } catch (java.io.IOException e) {
      throw dev.mcpaudit.runtime.http.ProblemException.badRequest("body: not JSON");
    }
    if (n == null || !n.isObject()) {
      throw dev.mcpaudit.runtime.http.ProblemException.badRequest("body: " + expected);
    }
    return n;
  }

  static String shown(String text) {
    return LogText.of(text, 80);
  }

  /** A whole number in 1..max, {@code fallback} when absent. */
  static int whole(String name, String text, int fallback, int max) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    String t = text.strip();
    if (t.length() <= 10) {
      try {
        int n = Integer.parseInt(t);
        if (n >= 1 && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw ProblemException.badRequest(
        name + ": must be a whole number 1-" + max + ", got '" + shown(text) + "'");
  }

  /**
   * {@code from}/{@code to}. Whatever the parser fails with (a number of days too large for a long,
   * a date before the first instant) is the caller's input, so it is a 400 naming the parameter, as
   * is an instant too far from the epoch for millisecond arithmetic.
   */
  static TimeRange range(Context ctx, Clock clock) {
    String from = ctx.queryParam("from");
    String to = ctx.queryParam("to");
    Instant now = clock.instant();
    TimeRange range;
    try {
      range = TimeRange.parse(from, to, now);
    } catch (InvalidQuery e) {
      throw e;
    } catch (RuntimeException e) {
      String culprit = parses(to, now) ? "from" : "to";
      throw ProblemException.badRequest(
          culprit
              + ": '"
              + shown("from".equals(culprit) ? from : to)
              + "' is not a time this API can use: RFC 3339 (2026-11-26T09:30:00Z) or relative (now, now-15m, now-24h, now-7d)");
    }
    representable("from", from, range.from());
    representable("to", to, range.to());
    return range;
  }

  private static boolean parses(String to, Instant now) {
    try {
      TimeRange.parse(null, to, now);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * About 73 million years either side of 1970: far enough for any question, near enough that a
   * window's length, and one more bucket or page past its end, stay inside a long.
   */
  private static final long MAX_ABS_MILLIS = Long.MAX_VALUE / 4;

  private static void representable(String name, String text, Instant t) {
    long ms;
    try {
      ms = t.toEpochMilli();
    } catch (ArithmeticException e) {
      ms = Long.MAX_VALUE;
    }
    if (ms > MAX_ABS_MILLIS || ms < -MAX_ABS_MILLIS) {
      throw ProblemException.badRequest(name + ": '" + shown(text) + "' is too far from now");
    }
  }

  /** The tenant parameter: absent, or shaped like a tenant of the contract. */
  static String tenant(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    if (!TENANT.matcher(text).matches()) {
      throw ProblemException.badRequest(
          "tenant: 1-64 characters without control characters, got '" + shown(text) + "'");
    }
    return text;
  }

  /**
   * An optional id-like filter (actor, handle, user): absent, or 1-256 characters without spaces.
   */
  static String id(String name, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    if (text.length() > ID_MAX * 2
        || text.codePointCount(0, text.length()) > ID_MAX
        || !ID.matcher(text).matches()) {
      throw ProblemException.badRequest(
          name
              + ": 1-"
              + ID_MAX
              + " characters without whitespace or control characters, got '"
              + shown(text)
              + "'");
    }
    return text;
  }

  /** The text if it is shaped like an event or alert id, else null. */
  static String eventIdOrNull(String text) {
    return text != null && EVENT_ID.matcher(text).matches() ? text : null;
  }

  /** An optional event id filter: absent, or shaped like the contract's event_id. */
  static String eventId(String name, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    if (!EVENT_ID.matcher(text).matches()) {
      throw ProblemException.badRequest(
          name + ": 1-128 characters of A-Z a-z 0-9 . _ : -, got '" + shown(text) + "'");
    }
    return text;
  }
}
