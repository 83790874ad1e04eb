package dev.mcpaudit.runtime.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mcpaudit.schema.event.EventCodec;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge of every HTTP role: one mapping from exceptions to problem+json, so no handler writes
 * its own error shape and no stack trace ever reaches a client. Unexpected errors are logged once
 * here, with the request path, and answered 500 without detail.
 */
public final class HttpEdge {
  private static final Logger log = LoggerFactory.getLogger(HttpEdge.class);

  private HttpEdge() {}

  public static void install(JavalinConfig config) {
    config.routes.exception(ProblemException.class, (e, ctx) -> {
      e.headers().forEach(ctx::header);
      write(ctx, e.problem());
    });
    config.routes.exception(HttpResponseException.class, (e, ctx) ->
        write(ctx, Problem.of(e.getStatus(), reason(e.getStatus()), e.getMessage())));
    config.routes.exception(Exception.class, (e, ctx) -> {
      log.error("unhandled error method={} path={}", ctx.method(), ctx.path(), e);
      write(ctx, Problem.of(500, "Internal Server Error", "the server failed; the error is in its log"));
    });
    config.routes.error(404, ctx -> {
      if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
        write(ctx, Problem.of(404, "Not Found", "no such endpoint: " + ctx.method() + " " + ctx.path()));
      }
    });
  }

  public static void write(Context ctx, Problem problem) {
    try {
      ctx.status(problem.status())
          .contentType(Problem.CONTENT_TYPE)
          .result(EventCodec.mapper().writeValueAsBytes(problem));
    } catch (JsonProcessingException e) {
      ctx.status(problem.status()).result(problem.title());
    }
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      case 503 -> "Service Unavailable";
      default -> "HTTP " + status;
    };
  }
}
