package dev.mcpaudit.schema.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * RFC 3339 timestamps, strictly: date, 'T', time with seconds, optional fraction, and a 'Z' or
 * numeric offset. ISO 8601 leniencies (no offset, no seconds, week dates) are refused because a
 * timestamp without an offset means a different instant on every machine that reads it.
 *
 * <p>Parsed by hand, position by position: every event is parsed on the collector, the indexer, the
 * detector and in exports, and {@code DateTimeFormatter} costs several times more. The rules are
 * those of {@code OffsetDateTime.parse(…, ISO_OFFSET_DATE_TIME)} on the RFC's shape (no leap
 * second, no 24:00, offsets within ±18:00); a test holds the two to the same answers.
 */
public final class Rfc3339 {
  private static final int MAX_OFFSET_SECONDS = 18 * 3600;

  private Rfc3339() {}

  /** The instant, or empty when the text is not an RFC 3339 timestamp of a real date and time. */
  public static Optional<Instant> parse(String text) {
    // yyyy-MM-ddTHH:mm:ss is 19 characters, then an optional fraction, then Z or ±hh:mm.
    if (text == null || text.length() < 20 || text.length() > 35) {
      return Optional.empty();
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    char t = text.charAt(10);
    if ((year | month | day | hour | minute | second) < 0
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || (t != 'T' && t != 't')
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || hour > 23
        || minute > 59
        || second > 59) {
      return Optional.empty();
    }
    int i = 19;
    int nanos = 0;
    if (text.charAt(i) == '.') {
      int start = ++i;
      while (i < text.length() && isDigit(text.charAt(i))) {
        i++;
      }
      int count = i - start;
      if (count < 1 || count > 9) {
        return Optional.empty();
      }
      nanos = digits(text, start, count);
      for (int k = count; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offsetSeconds = offset(text, i);
    if (offsetSeconds == Integer.MIN_VALUE) {
      return Optional.empty();
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay(); // refuses Feb 30 and friends
    } catch (DateTimeException e) {
      return Optional.empty();
    }
    long seconds = epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
    return Optional.of(Instant.ofEpochSecond(seconds, nanos));
  }

  /** Canonical form: UTC with a 'Z', fraction only as long as needed. */
  public static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }

  /**
   * Seconds east of UTC of the zone that ends the text at {@code at}, or MIN_VALUE when it is not
   * one.
   */
  private static int offset(String text, int at) {
    int rest = text.length() - at;
    if (rest < 1) {
      return Integer.MIN_VALUE;
    }
    char c = text.charAt(at);
    if (rest == 1 && (c == 'Z' || c == 'z')) {
      return 0;
    }
    if (rest != 6 || (c != '+' && c != '-') || text.charAt(at + 3) != ':') {
      return Integer.MIN_VALUE;
    }
    int hours = digits(text, at + 1, 2);
    int minutes = digits(text, at + 4, 2);
    if (hours < 0 || minutes < 0 || minutes > 59) {
      return Integer.MIN_VALUE;
    }
    int seconds = hours * 3600 + minutes * 60;
    if (seconds > MAX_OFFSET_SECONDS) {
      return Integer.MIN_VALUE;
    }
    return c == '-' ? -seconds : seconds;
  }

  /**
   * The decimal value of {@code count} ASCII digits at {@code from}, or -1 when one is not a digit.
   */
  private static int digits(String text, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
