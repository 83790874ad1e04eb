package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * What the rule processors share: the rules, the metrics, the alert issuer over the rule's own
 * suppression store, and the one lateness test (against the source partition's watermark).
 */
abstract class RuleProcessor implements Processor<String, Observation, String, Alert> {
  protected final Rules rules;
  protected final DetectorMetrics metrics;
  private final String issuedStore;
  private final java.time.Duration suppression;
  protected ProcessorContext<String, Alert> context;
  protected AlertIssuer issuer;

  RuleProcessor(Rules rules, DetectorMetrics metrics, String issuedStore) {
    this(rules, metrics, issuedStore, rules.suppression());
  }

  RuleProcessor(
      Rules rules, DetectorMetrics metrics, String issuedStore, java.time.Duration suppression) {
    this.rules = rules;
    this.metrics = metrics;
    this.issuedStore = issuedStore;
    this.suppression = suppression;
  }

  @Override
  public final void init(ProcessorContext<String, Alert> context) {
    this.context = context;
    this.issuer =
        new AlertIssuer(
            context, context.getStateStore(issuedStore), suppression.toMillis(), metrics);
    open(context);
  }

  /** Gets the rule's own stores (and schedules what it needs). */
  protected abstract void open(ProcessorContext<String, Alert> context);

  /** Whether {@code o} is past the grace period; counted in the metrics when it is. */
  protected final boolean late(Observation o) {
    if (o.lateBy(rules.grace().toMillis())) {
      metrics.late();
      return true;
    }
    return false;
  }
}
