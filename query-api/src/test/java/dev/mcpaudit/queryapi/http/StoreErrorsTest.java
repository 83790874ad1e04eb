package dev.mcpaudit.queryapi.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.queryapi.store.AmbiguousEventId;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.QueryTimedOut;
import dev.mcpaudit.queryapi.store.StoreException;
import dev.mcpaudit.queryapi.store.TenantNotCovered;
import dev.mcpaudit.queryapi.store.TooManySearches;
import dev.mcpaudit.runtime.http.ProblemException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Each error the store can answer with becomes the same HTTP answer as before it had a type. */
class StoreErrorsTest {
  private record Expected(int status, String detail, Map<String, String> headers) {}

  @Test
  void everyStoreErrorHasItsStatusDetailAndRetryAfter() {
    Map<StoreException, Expected> cases =
        Map.of(
            new InvalidQuery("q: at most 4096 characters"),
            new Expected(400, "q: at most 4096 characters", Map.of()),
            new TenantNotCovered("globex"),
            new Expected(403, "this token does not cover tenant 'globex'", Map.of()),
            new AmbiguousEventId("e-1", new TreeSet<>(List.of("globex", "acme"))),
            new Expected(
                409,
                "event_id 'e-1' is recorded in tenants acme, globex; choose one with ?tenant=",
                Map.of()),
            new TooManySearches(6),
            new Expected(
                429,
                "this token already has 6 searches running or waiting; wait for one to finish",
                Map.of("Retry-After", "1")),
            new QueryTimedOut(Duration.ofSeconds(10)),
            new Expected(
                503,
                "the query ran longer than 10000 ms; narrow the time range or the query",
                Map.of("Retry-After", "1")),
            new IndexUnavailable("no commit in the events index at /x yet"),
            new Expected(
                503, "no commit in the events index at /x yet", Map.of("Retry-After", "5")));
    cases.forEach(
        (error, expected) -> {
          ProblemException p = StoreErrors.problem(error);
          assertThat(p.problem().status())
              .as(error.getClass().getSimpleName())
              .isEqualTo(expected.status());
          assertThat(p.problem().detail()).isEqualTo(expected.detail());
          assertThat(p.headers()).isEqualTo(expected.headers());
        });
    // Every permitted subtype is covered above.
    assertThat(StoreException.class.getPermittedSubclasses()).hasSize(cases.size());
  }
}
