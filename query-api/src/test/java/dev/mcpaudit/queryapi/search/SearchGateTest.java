package dev.mcpaudit.queryapi.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mcpaudit.queryapi.store.QueryTimedOut;
import dev.mcpaudit.queryapi.store.TooManySearches;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** What the gate remembers of a caller lives exactly as long as that caller's searches. */
class SearchGateTest {
  private static final QueryTimedOut TIMED_OUT = new QueryTimedOut(Duration.ofMillis(50));

  private static long in(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  @Test
  void aCallerIsForgottenWhenItsLastSearchEnds() {
    SearchGate gate = new SearchGate(new SearchGate.Limits(2, 1, 2));
    for (int i = 0; i < 1_000; i++) {
      String principal = "oidc:https://idp.example#user-" + i;
      assertThat(
              gate.run(principal, in(Duration.ofSeconds(30)), () -> principal.length(), TIMED_OUT))
          .isEqualTo(principal.length());
    }
    assertThat(gate.callersInFlight()).isZero();
    assertThatThrownBy(
            () ->
                gate.run(
                    "p",
                    in(Duration.ofSeconds(30)),
                    () -> {
                      throw new IllegalArgumentException("the work's own error");
                    },
                    TIMED_OUT))
        .hasMessage("the work's own error");
    assertThat(gate.callersInFlight()).isZero();
  }

  @Test
  void workWhoseWaiterGaveUpStillCountsAgainstItsCallerUntilItEnds() throws Exception {
    SearchGate gate = new SearchGate(new SearchGate.Limits(2, 1, 0));
    CountDownLatch release = new CountDownLatch(1);
    // The waiter's deadline passes while the work still runs: 503 for it, and the work goes on.
    assertThatThrownBy(
            () ->
                gate.run(
                    "slow",
                    in(Duration.ofMillis(50)),
                    () -> {
                      release.await();
                      return 0;
                    },
                    TIMED_OUT))
        .isSameAs(TIMED_OUT);
    assertThatThrownBy(() -> gate.run("slow", in(Duration.ofSeconds(30)), () -> 1, TIMED_OUT))
        .as("the abandoned work still holds the caller's only place")
        .isInstanceOf(TooManySearches.class);
    assertThat(gate.run("other", in(Duration.ofSeconds(30)), () -> 2, TIMED_OUT)).isEqualTo(2);
    release.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> gate.callersInFlight() == 0);
    assertThat(gate.run("slow", in(Duration.ofSeconds(30)), () -> 3, TIMED_OUT)).isEqualTo(3);
  }
}
