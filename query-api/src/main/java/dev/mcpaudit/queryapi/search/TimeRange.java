package dev.mcpaudit.queryapi.search;

import dev.mcpaudit.runtime.http.ProblemException;
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

  public static TimeRange parse(String from, String to, Instant now) {
    Instant t = to == null || to.isBlank() ? now : instant("to", to, now);
    Instant f = from == null || from.isBlank() ? t.minus(DEFAULT_SPAN) : instant("from", from, now);
    if (!f.isBefore(t)) {
      throw ProblemException.badRequest("from (" + Rfc3339.format(f) + ") must be before to (" + Rfc3339.format(t) + ")");
    }
    return new TimeRange(f, t);
  }

  static Instant instant(String name, String text, Instant now) {
    Matcher m = RELATIVE.matcher(text.strip());
    if (m.matches()) {
      if (m.group(1) == null) {
        return now;
      }
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
      return now.minus(d);
    }
    return Rfc3339.parse(text.strip()).orElseThrow(() -> ProblemException.badRequest(
        name + ": '" + text + "' is neither RFC 3339 (2026-11-26T09:30:00Z) nor relative (now, now-15m, now-24h, now-7d)"));
  }
}
