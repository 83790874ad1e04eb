package dev.mcpaudit.runtime.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem document: the one error shape every mcp-audit endpoint returns. {@code
 * errors} lists field-level details when there are any.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
    String type, String title, int status, String detail, List<FieldError> errors) {
  public static final String CONTENT_TYPE = "application/problem+json";

  public record FieldError(String pointer, String rule, String message) {}

  public static Problem of(int status, String title, String detail) {
    return new Problem("about:blank", title, status, detail, List.of());
  }
}
