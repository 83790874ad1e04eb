package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.rules.Bursts;
import dev.mcpaudit.rules.Correlation;
import dev.mcpaudit.rules.CustomRule;
import dev.mcpaudit.rules.RuleBook;
import dev.mcpaudit.rules.RuleCodec;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * CUSTOM_RULE: an analyst's rule (README, "Alert rules"), judged by {@link Correlation}, the logic
 * its preview runs too, over this task's state: matches by rule and group, and the alerts raised.
 * Records are the rule's matches, keyed by tenant, rule and group. The rule's thresholds are read
 * from the live book at each event, so an edit applies within seconds; a match of a rule deleted or
 * disabled since is dropped.
 */
final class CustomRuleProcessor extends RuleProcessor<RuleHit> {
  static final String HITS = "rule-hits";
  static final String ISSUED = "rule-alerts";

  private final Supplier<RuleBook> book;
  private Correlation.Memory memory;

  CustomRuleProcessor(Rules rules, DetectorMetrics metrics, Supplier<RuleBook> book) {
    super(rules, metrics, ISSUED, RuleCodec.MAX_SUPPRESSION);
    this.book = book;
  }

  @Override
  protected Observation observation(RuleHit hit) {
    return hit.event();
  }

  @Override
  protected void open(ProcessorContext<String, Alert> context) {
    // Kept for the longest window a rule may have: a window widened live still finds its matches.
    TimedStore<String> hits =
        timed(HITS, Serdes.String(), RuleCodec.MAX_WINDOW.plus(rules.widest().grace()));
    TimedStore<String> issued =
        timed(ISSUED, Serdes.String(), RuleCodec.MAX_SUPPRESSION.plus(rules.widest().grace()));
    this.memory = new StoreMemory(hits, issued, metrics);
  }

  @Override
  protected void judge(Record<String, RuleHit> record) {
    RuleHit hit = record.value();
    Observation o = hit.event();
    Optional<CustomRule> live = book.get().rule(hit.ruleId());
    if (live.isEmpty() || !live.get().watches(o.tenant()) || late(o)) {
      return;
    }
    CustomRule rule = live.get();
    Correlation.Outcome outcome =
        Correlation.judge(
            Correlation.Spec.of(rule),
            o.tenant(),
            hit.subject(),
            new Bursts.Hit(o.at(), o.eventId()),
            memory,
            raised -> raise(rule, hit, raised));
    if (outcome == Correlation.Outcome.SUPPRESSED) {
      metrics.suppressed(AlertType.CUSTOM_RULE);
    }
  }

  private void raise(CustomRule rule, RuleHit hit, Correlation.Raised raised) {
    Observation o = hit.event();
    List<String> evidence = raised.evidence().stream().map(Bursts.Hit::eventId).toList();
    int n = evidence.size();
    String summary =
        (rule.threshold() <= 1
                ? "an event matching rule '" + rule.name() + "'"
                : n
                    + " events matching rule '"
                    + rule.name()
                    + "' within "
                    + rule.window().toSeconds()
                    + " s (threshold "
                    + rule.threshold()
                    + ")")
            + (rule.groupBy().isEmpty() ? "" : " for " + hit.subject());
    Alert alert =
        new Alert(
            raised.alertId(),
            AlertType.CUSTOM_RULE,
            rule.severity(),
            o.tenant(),
            Instant.ofEpochMilli(context.currentSystemTimeMs()),
            hit.subject(),
            rule.groupBy().contains(IndexSchema.ACTOR_ID) ? o.actor() : null,
            rule.groupBy().contains(IndexSchema.HANDLE_ID) ? o.handle() : null,
            rule.groupBy().contains(IndexSchema.TOOL_NAME) ? o.toolName() : null,
            AlertIssuer.ends(evidence),
            summary.length() > 2000 ? summary.substring(0, 2000) : summary,
            new Alert.RuleRef(rule.id(), rule.name(), rule.version()),
            rule.owasp());
    context.forward(new Record<>(hit.subject(), alert, raised.anchor()));
    metrics.raised(AlertType.CUSTOM_RULE);
  }

  /** The rule's state in this task's stores. */
  private record StoreMemory(
      TimedStore<String> hits, TimedStore<String> issued, DetectorMetrics metrics)
      implements Correlation.Memory {
    @Override
    public List<Bursts.Hit> near(String key, long from, long to, int capacity) {
      List<Bursts.Hit> out = new ArrayList<>();
      for (KeyValue<Long, String> kv : hits.read(key, from, to, capacity, metrics).entries()) {
        out.add(new Bursts.Hit(kv.key, kv.value));
      }
      return out;
    }

    @Override
    public void keep(String key, Bursts.Hit hit) {
      hits.put(key, hit.eventId(), hit.at(), hit.eventId());
    }

    @Override
    public boolean issuedNear(String key, long from, long to) {
      return !issued.read(key, from, to, 1, metrics).entries().isEmpty();
    }

    @Override
    public void issued(String key, long anchor, String alertId) {
      issued.put(key, alertId, anchor, alertId);
    }
  }
}
