package dev.mcpaudit.schema.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * RFC 3339 timestamps, strictly: date, 'T', time with seconds, optional fraction, and a 'Z' or
 * numeric offset. ISO 8601 leniencies (no offset, no seconds, week dates) are refused because a
 * timestamp without an offset means a different instant on every machine that reads it.
 */
public final class Rfc3339 {
  private static final Pattern SHAPE =
      Pattern.compile(
          "^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$");

  private Rfc3339() {}

  /** The instant, or empty when the text is not an RFC 3339 timestamp of a real date and time. */
  public static Optional<Instant> parse(String text) {
    if (text == null || !SHAPE.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
              .toInstant());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** Canonical form: UTC with a 'Z', fraction only as long as needed. */
  public static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant);
  }
}
