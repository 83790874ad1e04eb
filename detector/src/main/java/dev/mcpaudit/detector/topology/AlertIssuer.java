package dev.mcpaudit.detector.topology;

import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Raises an alert unless one for the same type and subject was raised within the suppression window
 * (by occurred_at, either side: events arrive out of order). The alert id is a digest of type,
 * tenant, subject and the occurred_at that triggered it, so reprocessing the same input after a
 * crash yields the same id, and consumers (the alerts index) keep one copy.
 */
final class AlertIssuer {
  /** Evidence keeps the first and the latest this many event ids; the summary carries counts. */
  static final int EVIDENCE_EACH_END = 50;

  private final ProcessorContext<String, Alert> context;
  private final TimedStore<String> issued;
  private final java.util.function.ToLongFunction<String> suppressionMs;
  private final DetectorMetrics metrics;

  AlertIssuer(
      ProcessorContext<String, Alert> context,
      TimedStore<String> issued,
      java.util.function.ToLongFunction<String> suppressionMs,
      DetectorMetrics metrics) {
    this.context = context;
    this.issued = issued;
    this.suppressionMs = suppressionMs;
    this.metrics = metrics;
  }

  /**
   * What the rule saw. {@code anchor} is an occurred_at the incident itself fixes (see each rule),
   * so that the alert id is the same live, from a backlog, or on a second run over the same
   * records.
   */
  record Finding(
      AlertType type,
      Severity severity,
      String tenant,
      String subject,
      long anchor,
      String actor,
      String handle,
      String tool,
      List<String> evidence,
      String summary) {}

  boolean raise(Finding f) {
    String key = f.type() + "\u001f" + Observation.key(f.tenant(), f.subject());
    long s = suppressionMs.applyAsLong(f.tenant());
    if (!issued.read(key, f.anchor() - s + 1, f.anchor() + s - 1, 1, metrics).entries().isEmpty()) {
      metrics.suppressed(f.type());
      return false;
    }
    String id = alertId(f.type(), f.tenant(), f.subject(), f.anchor());
    issued.put(key, id, f.anchor(), id);
    List<String> evidence = ends(f.evidence());
    Alert alert =
        new Alert(
            id,
            f.type(),
            f.severity(),
            f.tenant(),
            Instant.ofEpochMilli(context.currentSystemTimeMs()),
            f.subject(),
            f.actor(),
            f.handle(),
            f.tool(),
            evidence,
            f.summary());
    context.forward(new Record<>(f.subject(), alert, f.anchor()));
    metrics.raised(f.type());
    return true;
  }

  static List<String> ends(List<String> evidence) {
    int n = evidence.size();
    if (n <= 2 * EVIDENCE_EACH_END) {
      return evidence;
    }
    List<String> out = new java.util.ArrayList<>(evidence.subList(0, EVIDENCE_EACH_END));
    out.addAll(evidence.subList(n - EVIDENCE_EACH_END, n));
    return out;
  }

  static String alertId(AlertType type, String tenant, String subject, long anchor) {
    return dev.mcpaudit.schema.alert.AlertIds.of(type, tenant, subject, anchor);
  }
}
