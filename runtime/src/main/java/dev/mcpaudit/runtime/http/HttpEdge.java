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
    config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
    // Javalin decodes path parameters before the handler runs and fails on a malformed escape
    // (%u0041, a lone %): refused here, as the client's error it is.
    config.routes.before(
        ctx -> {
          if (!wellEncoded(ctx.req().getRequestURI())) {
            throw ProblemException.badRequest(
                "path: malformed percent-encoding (a % must be followed by two hex digits)");
          }
        });
    config.routes.exception(
        ProblemException.class,
        (e, ctx) -> {
          e.headers().forEach(ctx::header);
          write(ctx, e.problem());
        });
    config.routes.exception(
        HttpResponseException.class,
        (e, ctx) -> write(ctx, Problem.of(e.getStatus(), reason(e.getStatus()), e.getMessage())));
    config.routes.exception(
        Exception.class,
        (e, ctx) -> {
          // One line per failed request, never a stack trace: a request that fails the same way
          // thousands of times must not bury the log. The innermost cause and the frame that threw
          // it
          // say where to look; the query string (which may carry what a user searched) is left out.
          Throwable root = rootCause(e);
          log.error(
              "unhandled error method={} path={} error={} at={}",
              ctx.method(),
              LogText.of(ctx.path(), 200),
              LogText.of(
                  e.getClass().getName()
                      + (root == e ? "" : " caused by " + root.getClass().getName())
                      + ": "
                      + root.getMessage(),
                  300),
              root.getStackTrace().length == 0 ? "?" : root.getStackTrace()[0].toString());
          write(
              ctx,
              Problem.of(
                  500, "Internal Server Error", "the server failed; the error is in its log"));
        });
    config.routes.error(
        404,
        ctx -> {
          if (!Problem.CONTENT_TYPE.equals(ctx.res().getContentType())) {
            write(
                ctx,
                Problem.of(
                    404, "Not Found", "no such endpoint: " + ctx.method() + " " + ctx.path()));
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

  static boolean wellEncoded(String path) {
    if (path == null) {
      return true;
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length()
          || Character.digit(path.charAt(i + 1), 16) < 0
          || Character.digit(path.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t.getCause() != null && t.getCause() != t && depth < 16; depth++) {
      t = t.getCause();
    }
    return t;
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
      case 429 -> "Too Many Requests";
      case 503 -> "Service Unavailable";
      default -> "HTTP " + status;
    };
  }
}
