package dev.mcpaudit.schema.validation;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.Objects;

/**
 * One thing wrong with an event: where (an RFC 6901 JSON pointer, {@code ""} for the whole event),
 * which rule it broke, and a message saying what is wrong and what is allowed.
 */
public record ValidationError(String pointer, String rule, String message) {

  public ValidationError {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(message, "message");
  }

  public static ValidationError of(String pointer, String rule, String message) {
    return new ValidationError(pointer, rule, message);
  }

  /** A parse failure, with the position in the input and without a stack trace. */
  public static ValidationError malformed(IOException e) {
    if (e instanceof JsonProcessingException jpe) {
      JsonLocation at = jpe.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
      return of("", "json", "malformed JSON" + where + ": " + jpe.getOriginalMessage());
    }
    return of("", "json", "unreadable input: " + e.getMessage());
  }

  /** {@code /pointer: message}, the form the CLI and logs print. */
  @Override
  public String toString() {
    return (pointer.isEmpty() ? "(event)" : pointer) + ": " + message;
  }
}
