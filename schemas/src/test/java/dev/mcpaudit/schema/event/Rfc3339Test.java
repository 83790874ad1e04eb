package dev.mcpaudit.schema.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class Rfc3339Test {
  /**
   * The definition the hand-written parser must agree with: the RFC's shape, then java.time's
   * strict rules.
   */
  private static final Pattern SHAPE =
      Pattern.compile(
          "^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$");

  static Optional<Instant> reference(String text) {
    if (text == null || !SHAPE.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          OffsetDateTime.parse(
                  text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
              .toInstant());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  @Test
  void readsWhatTheContractWrites() {
    assertThat(Rfc3339.parse("2026-11-20T14:03:27.412Z"))
        .contains(Instant.parse("2026-11-20T14:03:27.412Z"));
    assertThat(Rfc3339.parse("2026-11-20t14:03:27z"))
        .contains(Instant.parse("2026-11-20T14:03:27Z"));
    assertThat(Rfc3339.parse("2026-11-20T15:03:27.000000001+01:00"))
        .contains(Instant.parse("2026-11-20T14:03:27.000000001Z"));
    assertThat(Rfc3339.parse("2026-11-20T00:30:00-05:30"))
        .contains(Instant.parse("2026-11-20T06:00:00Z"));
    assertThat(Rfc3339.parse("0000-01-01T00:00:00Z")).isEqualTo(reference("0000-01-01T00:00:00Z"));
    assertThat(Rfc3339.parse("9999-12-31T23:59:59.999999999-18:00"))
        .isEqualTo(reference("9999-12-31T23:59:59.999999999-18:00"));
  }

  @Test
  void refusesWhatIsNotATimestamp() {
    for (String bad :
        new String[] {
          null,
          "",
          "2026-11-20",
          "2026-11-20T14:03Z",
          "2026-11-20T14:03:27",
          "2026-11-20 14:03:27Z",
          "2026-02-30T00:00:00Z",
          "2025-02-29T00:00:00Z",
          "2026-13-01T00:00:00Z",
          "2026-11-20T24:00:00Z",
          "2026-11-20T23:59:60Z",
          "2026-11-20T14:03:27.Z",
          "2026-11-20T14:03:27.1234567890Z",
          "2026-11-20T14:03:27+18:01",
          "2026-11-20T14:03:27+0100",
          "2026-11-20T14:03:27+01:60",
          "+2026-11-20T14:03:27Z",
          "2026-11-20T14:03:27Z ",
          "２０２６-11-20T14:03:27Z",
          "2026-11-20T14:03:27.4"
        }) {
      assertThat(Rfc3339.parse(bad)).as(String.valueOf(bad)).isEmpty();
      assertThat(reference(bad)).as("reference agrees on %s", bad).isEmpty();
    }
  }

  /**
   * Near-valid texts (every field at and past its limits, then single-character damage) answer as
   * java.time does.
   */
  @Test
  void agreesWithJavaTimeOnHundredsOfThousandsOfNearMisses() {
    SplittableRandom r = new SplittableRandom(Long.getLong("fuzz.seed", 3339));
    String digitsAndMarks = "0123456789-:T.tZz+- 9x";
    int parsed = 0;
    for (int i = 0; i < 300_000; i++) {
      StringBuilder b = new StringBuilder();
      b.append(
          String.format(
              "%04d-%02d-%02d%c%02d:%02d:%02d",
              r.nextInt(10_000),
              r.nextInt(14),
              r.nextInt(33),
              r.nextInt(10) == 0 ? 't' : 'T',
              r.nextInt(26),
              r.nextInt(62),
              r.nextInt(62)));
      int fraction = r.nextInt(12) - 1;
      if (fraction >= 0) {
        b.append('.');
        for (int k = 0; k < fraction; k++) {
          b.append((char) ('0' + r.nextInt(10)));
        }
      }
      switch (r.nextInt(4)) {
        case 0 -> b.append(r.nextBoolean() ? 'Z' : 'z');
        case 1 ->
            b.append(r.nextBoolean() ? '+' : '-')
                .append(String.format("%02d:%02d", r.nextInt(20), r.nextInt(61)));
        case 2 ->
            b.append(r.nextBoolean() ? '+' : '-').append(String.format("18:%02d", r.nextInt(3)));
        default -> {} // no zone
      }
      if (r.nextInt(4) == 0) { // damage one position: replace, insert or delete
        int at = r.nextInt(b.length());
        switch (r.nextInt(3)) {
          case 0 -> b.setCharAt(at, digitsAndMarks.charAt(r.nextInt(digitsAndMarks.length())));
          case 1 -> b.insert(at, digitsAndMarks.charAt(r.nextInt(digitsAndMarks.length())));
          default -> b.deleteCharAt(at);
        }
      }
      String text = b.toString();
      Optional<Instant> expected = reference(text);
      assertThat(Rfc3339.parse(text)).as(text).isEqualTo(expected);
      parsed += expected.isPresent() ? 1 : 0;
    }
    // Both sides of the line are exercised: many valid, many not.
    assertThat(parsed).isBetween(30_000, 270_000);
  }
}
