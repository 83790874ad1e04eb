package dev.mcpaudit.collector.http;

import dev.mcpaudit.schema.validation.ValidationError;
import java.util.List;

/** The 202 answer: how many events Kafka acknowledged, and why each rejected one was refused. */
record IngestResponse(int accepted, List<Rejected> rejected) {

  /** {@code index} is 0-based in the body's order (array elements, or non-blank NDJSON lines). */
  record Rejected(int index, List<ValidationError> errors) {}
}
