package dev.mcpaudit.runtime.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before a request reaches the routes (a malformed or ambiguous URI, a
 * request line or headers too large): problem+json like every other error, instead of Jetty's HTML
 * page.
 */
final class ProblemErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback)
      throws IOException {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
    return ByteBuffer.wrap(body(status, reason));
  }

  private static byte[] body(int code, String message) {
    String title = HttpStatus.getMessage(code);
    String detail =
        code == 414 || code == 431
            ? "the request line or its headers are too large"
            : "the request is malformed"
                + (message == null || message.isBlank() ? "" : ": " + LogText.of(message, 120));
    try {
      return EventCodec.mapper().writeValueAsBytes(Problem.of(code, title, detail));
    } catch (JsonProcessingException e) {
      return title.getBytes(StandardCharsets.UTF_8);
    }
  }
}
