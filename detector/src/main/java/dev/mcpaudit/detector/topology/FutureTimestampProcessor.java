package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.Rfc3339;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * FUTURE_TIMESTAMP: an event dated further ahead of the detector's clock (or of when Kafka received
 * it) than {@code detector.max-future-skew}. It was judged where its partition had got to (no rule
 * went blind); this tells the analyst which source sent it: a gateway whose clock is wrong, or one
 * trying to move event time. Records arrive keyed by tenant and source, once per source within
 * {@code detector.future-timestamp.suppression}.
 */
final class FutureTimestampProcessor extends RuleProcessor<Observation> {
  static final String ISSUED = "future-alerts";

  FutureTimestampProcessor(Rules rules, DetectorMetrics metrics) {
    super(rules, metrics, ISSUED, rules.futureSuppression());
  }

  @Override
  protected Observation observation(Observation o) {
    return o;
  }

  @Override
  protected void open(ProcessorContext<String, Alert> context) {}

  @Override
  protected void judge(Record<String, Observation> record) {
    Observation o = record.value();
    if (!o.claimsTheFuture()) {
      return;
    }
    issuer.raise(
        new AlertIssuer.Finding(
            AlertType.FUTURE_TIMESTAMP,
            Severity.MEDIUM,
            o.tenant(),
            o.sourceKey(),
            o.at(),
            o.actor(),
            o.handle(),
            o.toolName(),
            List.of(o.eventId()),
            "source "
                + o.sourceKey()
                + " sent "
                + o.eventId()
                + " dated "
                + Rfc3339.format(Instant.ofEpochMilli(o.claimedAt()))
                + ", more than "
                + rules.maxFutureSkew().toSeconds()
                + " s past the detector's clock or past when Kafka received it; judged at "
                + Rfc3339.format(Instant.ofEpochMilli(o.at()))));
  }
}
