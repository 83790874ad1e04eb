package dev.mcpaudit.queryapi.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Every from/to either names an instant between years 0000 and 9999 or is a 400 naming the
 * parameter.
 */
class TimeRangeTest {
  private static final Instant NOW = Instant.parse("2026-11-26T08:00:00Z");

  private static void refused(String from, String to, String param) {
    assertThatThrownBy(() -> TimeRange.parse(from, to, NOW))
        .as(from + " " + to)
        .isInstanceOf(InvalidQuery.class)
        .satisfies(
            e -> {
              assertThat(e.getMessage()).startsWith(param);
            });
  }

  @Test
  void relativeTimesOfAnyLengthAreParsedOrRefusedNeverOverflowed() {
    assertThat(TimeRange.parse("now-7d", null, NOW).from())
        .isEqualTo(NOW.minus(Duration.ofDays(7)));
    assertThat(TimeRange.parse("now-000015m", "now", NOW).from())
        .isEqualTo(NOW.minus(Duration.ofMinutes(15)));
    refused("now-99999999999999999999d", null, "from");
    refused("now-9223372036854775807s", null, "from");
    refused("now-99999999w", null, "from");
    refused(null, "now-99999999999999999999999999999999h", "to");
    // As far back as the earliest instant, and no further.
    long days = Duration.between(TimeRange.EARLIEST, NOW).toDays();
    assertThat(TimeRange.parse("now-" + days + "d", null, NOW).from())
        .isAfterOrEqualTo(TimeRange.EARLIEST);
    refused("now-" + (days + 1) + "d", null, "from");
  }

  @Test
  void absoluteTimesStayWithinTheYearsRfc3339CanWrite() {
    TimeRange all = TimeRange.parse("0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", NOW);
    assertThat(all.millis()).isPositive();
    refused("0000-01-01T00:00:00+01:00", null, "from");
    refused("1970-01-01", null, "from");
    refused(null, "+999999999-12-31T23:59:59Z", "to");
    refused("now", "now-1h", "from");
  }

  @Test
  void theDefaultWindowNeverStartsBeforeTheEarliestInstant() {
    TimeRange r = TimeRange.parse(null, "0000-01-01T01:00:00Z", NOW);
    assertThat(r.from()).isEqualTo(TimeRange.EARLIEST);
  }
}
