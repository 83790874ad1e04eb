package dev.mcpaudit.queryapi.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refusals counted per key and window, in bounded memory, none lost. */
class RefusedRequestsTest {
  static final Instant T0 = Instant.parse("2026-11-26T09:30:00Z");

  @Test
  void aWindowEndsAsOneTallyPerKeyWithEveryAttemptCounted() {
    RefusedRequests r = new RefusedRequests(Duration.ofMinutes(1), 100);
    List<RefusedRequests.Tally> out = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      out.addAll(
          r.add(
              T0.plusMillis(i * 50L),
              "10.0.0." + (i % 3),
              "api.decisions.search",
              "CREDENTIAL_MISSING",
              "no bearer token"));
    }
    // 1000 attempts over 50 s: still one window.
    assertThat(out).isEmpty();
    assertThat(r.rollIfDue(T0.plusSeconds(59))).isEmpty();
    out.addAll(r.rollIfDue(T0.plusSeconds(60)));
    assertThat(out).hasSize(3);
    assertThat(out.stream().mapToLong(RefusedRequests.Tally::count).sum()).isEqualTo(1000);
    assertThat(out)
        .allSatisfy(
            t -> {
              assertThat(t.windowStart()).isEqualTo(T0);
              assertThat(t.windowEnd()).isEqualTo(T0.plusSeconds(60));
            });
    assertThat(r.drain()).isEmpty();
  }

  @Test
  void anAttemptInTheNextWindowPublishesThePreviousOne() {
    RefusedRequests r = new RefusedRequests(Duration.ofMinutes(1), 100);
    assertThat(r.add(T0.plusSeconds(10), "a", "api.access", "CREDENTIAL_INVALID", "x")).isEmpty();
    List<RefusedRequests.Tally> ended =
        r.add(T0.plusSeconds(70), "a", "api.access", "CREDENTIAL_INVALID", "x");
    assertThat(ended).singleElement().satisfies(t -> assertThat(t.count()).isEqualTo(1));
    assertThat(r.drain())
        .singleElement()
        .satisfies(t -> assertThat(t.windowStart()).isEqualTo(T0.plusSeconds(60)));
  }

  @Test
  void pastTheKeyCapAttemptsGoToOneOverflowBucketPerReason() {
    RefusedRequests r = new RefusedRequests(Duration.ofMinutes(1), 10);
    for (int i = 0; i < 10_000; i++) {
      r.add(
          T0,
          "10.1." + (i / 256) + "." + (i % 256),
          "api.decisions.search",
          i % 2 == 0 ? "CREDENTIAL_MISSING" : "CREDENTIAL_INVALID",
          "r");
    }
    List<RefusedRequests.Tally> all = r.drain();
    assertThat(all).hasSize(12);
    assertThat(all.stream().mapToLong(RefusedRequests.Tally::count).sum()).isEqualTo(10_000);
    assertThat(
            all.stream()
                .filter(t -> t.key().address().equals(RefusedRequests.OVERFLOW_ADDRESS))
                .mapToLong(RefusedRequests.Tally::count)
                .sum())
        .isEqualTo(10_000 - 10);
  }
}
