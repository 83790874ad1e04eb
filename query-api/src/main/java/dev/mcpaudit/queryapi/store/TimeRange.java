package dev.mcpaudit.queryapi.store;

import dev.mcpaudit.runtime.http.LogText;
import dev.mcpaudit.schema.event.Rfc3339;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code from}/{@code to} window of a request: RFC 3339, or relative to now ({@code now},
 * {@code now-15m}, {@code now-24h}, {@code now-7d}); default the last 24 hours. {@code to} is
 * exclusive.
 */
public record TimeRange(Instant from, Instant to) {
  private static final Pattern RELATIVE = Pattern.compile("^now(?:-(\\d+)([smhdw]))?$");
  public static final Duration DEFAULT_SPAN = Duration.ofHours(24);

  /**
   * The earliest and latest instants a window may name: the years RFC 3339 can write. Within them
   * every millisecond figure and every difference of two is far from overflowing a long, so the
   * window arithmetic of every endpoint stays exact.
   */
  public static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");

  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

  public TimeRange {
    if (from.isBefore(EARLIEST) || to.isAfter(LATEST.plusMillis(1))) {
      throw new IllegalArgumentException("a window lies between " + EARLIEST + " and " + LATEST);
    }
  }

  public static TimeRange parse(String from, String to, Instant now) {
    Instant t = to == null || to.isBlank() ? now : instant("to", to, now);
    Instant f =
        from == null || from.isBlank()
            ? latest(EARLIEST, t.minus(DEFAULT_SPAN))
            : instant("from", from, now);
    if (!f.isBefore(t)) {
      throw new InvalidQuery(
          "from (" + Rfc3339.format(f) + ") must be before to (" + Rfc3339.format(t) + ")");
    }
    return new TimeRange(f, t);
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  static Instant instant(String name, String text, Instant now) {
    Matcher m = RELATIVE.matcher(text.strip());
    if (m.matches()) {
      if (m.group(1) == null) {
        return now;
      }
      long unit =
          switch (m.group(2)) {
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> 7 * 86_400_000L;
          };
      // No digit string, however long, may overflow: past the earliest instant is an error.
      long back = (now.toEpochMilli() - EARLIEST.toEpochMilli()) / unit;
      String digits = m.group(1).replaceFirst("^0+(?=.)", "");
      if (digits.length() > 18 || Long.parseLong(digits) > back) {
        throw new InvalidQuery(
            name + ": '" + LogText.of(text, 80) + "' reaches before " + Rfc3339.format(EARLIEST));
      }
      return now.minusMillis(Long.parseLong(digits) * unit);
    }
    Instant t =
        Rfc3339.parse(text.strip())
            .orElseThrow(
                () ->
                    new InvalidQuery(
                        name
                            + ": '"
                            + LogText.of(text, 80)
                            + "' is neither RFC 3339 (2026-11-26T09:30:00Z) nor relative (now, now-15m, now-24h, now-7d)"));
    if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
      throw new InvalidQuery(
          name
              + ": '"
              + LogText.of(text, 80)
              + "' is outside "
              + Rfc3339.format(EARLIEST)
              + " to "
              + Rfc3339.format(LATEST));
    }
    return t;
  }

  /**
   * The window's span in milliseconds (never overflows: both ends lie between EARLIEST and LATEST).
   */
  public long millis() {
    return to.toEpochMilli() - from.toEpochMilli();
  }
}
