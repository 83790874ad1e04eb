package dev.mcpaudit.detector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.runtime.health.Health;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StreamThreadHealthTest {
  private Instant now = Instant.parse("2026-11-26T10:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @Test
  void aFailedThreadShowsInReadinessForAMinuteThenClears() {
    StreamThreadHealth h = new StreamThreadHealth(clock, new SimpleMeterRegistry());
    assertThat(h.health(2, 2).ready()).isTrue();
    h.failed(new IllegalStateException("event ev-secret broke a rule"));
    now = now.plusSeconds(5);
    Health shown = h.health(2, 2);
    assertThat(shown)
        .isEqualTo(
            Health.notReady(
                "a detector stream thread failed 5 s ago (IllegalStateException) and was"
                    + " replaced"));
    assertThat(shown.toString()).doesNotContain("ev-secret");
    assertThat(h.failureCount()).isEqualTo(1);
    now = now.plus(StreamThreadHealth.SHOWN);
    assertThat(h.health(2, 2).ready()).isTrue();
  }

  @Test
  void fewerThreadsAliveThanConfiguredIsNotReady() {
    StreamThreadHealth h = new StreamThreadHealth(clock, new SimpleMeterRegistry());
    assertThat(h.health(1, 2))
        .isEqualTo(Health.notReady("detector stream threads alive 1 of 2 configured"));
  }
}
