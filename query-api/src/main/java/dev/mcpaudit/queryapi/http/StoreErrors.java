package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.store.AmbiguousEventId;
import dev.mcpaudit.queryapi.store.IndexUnavailable;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.QueryTimedOut;
import dev.mcpaudit.queryapi.store.StoreException;
import dev.mcpaudit.queryapi.store.TenantNotCovered;
import dev.mcpaudit.queryapi.store.TooManySearches;
import dev.mcpaudit.runtime.http.HttpEdge;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.config.JavalinConfig;
import java.util.Map;

/**
 * The one place where the store's errors become HTTP answers: status, problem+json and the headers
 * a client acts on ({@code Retry-After}).
 */
final class StoreErrors {
  /** How long a client waits before asking again: the index may have opened by then. */
  static final String RETRY_UNAVAILABLE = "5";

  /** A search that timed out or found the caller's turns full is worth retrying almost at once. */
  static final String RETRY_BUSY = "1";

  private StoreErrors() {}

  static void install(JavalinConfig config) {
    config.routes.exception(
        StoreException.class,
        (e, ctx) -> {
          ProblemException p = problem(e);
          p.headers().forEach(ctx::header);
          HttpEdge.write(ctx, p.problem());
        });
  }

  static ProblemException problem(StoreException e) {
    String detail = e.getMessage();
    return switch (e) {
      case InvalidQuery q -> ProblemException.badRequest(detail);
      case TenantNotCovered t ->
          new ProblemException(Problem.of(403, "Forbidden", detail), Map.of());
      case AmbiguousEventId a ->
          new ProblemException(Problem.of(409, "Conflict", detail), Map.of());
      case TooManySearches t ->
          new ProblemException(
              Problem.of(429, "Too Many Requests", detail), Map.of("Retry-After", RETRY_BUSY));
      case QueryTimedOut t ->
          new ProblemException(
              Problem.of(503, "Service Unavailable", detail), Map.of("Retry-After", RETRY_BUSY));
      case IndexUnavailable u ->
          new ProblemException(
              Problem.of(503, "Service Unavailable", detail),
              Map.of("Retry-After", RETRY_UNAVAILABLE));
    };
  }
}
