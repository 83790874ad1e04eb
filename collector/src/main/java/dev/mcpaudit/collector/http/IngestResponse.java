package dev.mcpaudit.collector.http;

import dev.mcpaudit.schema.validation.ValidationError;
import java.util.List;

/**
 * The 202 answer: how many events Kafka acknowledged, how many were rejected, and why the first
 * {@link #MAX_LISTED} rejected ones were refused ({@code rejected_omitted} counts the rest), so the
 * answer's size does not grow with a batch's junk.
 */
record IngestResponse(
    int accepted, int rejectedTotal, List<Rejected> rejected, int rejectedOmitted) {
  static final int MAX_LISTED = 100;

  /** {@code index} is 0-based in the body's order (array elements, or non-blank NDJSON lines). */
  record Rejected(int index, List<ValidationError> errors) {}

  static IngestResponse of(int accepted, List<Rejected> rejected) {
    List<Rejected> listed =
        rejected.size() > MAX_LISTED ? List.copyOf(rejected.subList(0, MAX_LISTED)) : rejected;
    return new IngestResponse(accepted, rejected.size(), listed, rejected.size() - listed.size());
  }
}
