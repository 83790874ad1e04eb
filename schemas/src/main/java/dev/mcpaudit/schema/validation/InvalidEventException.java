package dev.mcpaudit.schema.validation;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown where a caller asked for an event or an exception; carries every error found. */
public final class InvalidEventException extends IllegalArgumentException {
  private final transient List<ValidationError> errors;

  public InvalidEventException(List<ValidationError> errors) {
    super(errors.stream().map(ValidationError::toString).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public List<ValidationError> errors() {
    return errors;
  }
}
