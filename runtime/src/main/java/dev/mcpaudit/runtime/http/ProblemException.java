package dev.mcpaudit.runtime.http;

import java.util.Map;

/**
 * Thrown by handlers to end a request with a problem+json response; mapped once, at the edge, by
 * {@link HttpEdge}. Headers such as {@code WWW-Authenticate} or {@code Retry-After} ride along.
 */
public final class ProblemException extends RuntimeException {
  private final transient Problem problem;
  private final transient Map<String, String> headers;

  public ProblemException(Problem problem, Map<String, String> headers) {
    super(problem.title() + ": " + problem.detail(), null, false, false);
    this.problem = problem;
    this.headers = Map.copyOf(headers);
  }

  public ProblemException(int status, String title, String detail) {
    this(Problem.of(status, title, detail), Map.of());
  }

  public static ProblemException unauthorized(String detail) {
    return new ProblemException(
        Problem.of(401, "Unauthorized", detail),
        Map.of("WWW-Authenticate", "Bearer realm=\"mcp-audit\""));
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "Bad Request", detail);
  }

  public Problem problem() {
    return problem;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
