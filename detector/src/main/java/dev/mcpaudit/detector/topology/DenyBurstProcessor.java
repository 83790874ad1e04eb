package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * DENY_BURST: at least N denies for one actor within a window of occurred_at time. Records are
 * denies only, keyed by tenant and actor. A late deny can complete a burst before or after it, so
 * every window that contains it is tried, earliest first.
 */
final class DenyBurstProcessor extends RuleProcessor<Observation> {
  static final String DENIES = "deny-times";
  static final String ISSUED = "deny-alerts";

  private TimedStore<String> denies;

  DenyBurstProcessor(Rules rules, DetectorMetrics metrics) {
    super(rules, metrics, ISSUED);
  }

  @Override
  protected Observation observation(Observation o) {
    return o;
  }

  @Override
  protected void open(ProcessorContext<String, Alert> context) {
    this.denies =
        timed(
            DENIES,
            org.apache.kafka.common.serialization.Serdes.String(),
            rules.widest().denyBurstWindow().plus(rules.widest().grace()));
  }

  private record Deny(long at, String eventId) {}

  @Override
  protected void judge(Record<String, Observation> record) {
    Observation o = record.value();
    if (late(o)) {
      return;
    }
    Rules rules = this.rules.forTenant(o.tenant());
    long window = rules.denyBurstWindow().toMillis();
    // Any window of the burst length that holds o lies within [at - window + 1, at + window - 1];
    // once that range holds twice the threshold, one of its two halves (each a window holding o)
    // is a burst, so reading more would change nothing.
    KeyCapacity.Read<String> seen =
        denies.read(
            record.key(),
            o.at() - window + 1,
            o.at() + window - 1,
            KeyCapacity.denies(rules.denyBurstThreshold()),
            metrics);
    List<Deny> near = new ArrayList<>();
    for (KeyValue<Long, String> d : seen.entries()) {
      if (d.value.equals(o.eventId())) {
        return; // delivered twice
      }
      near.add(new Deny(d.key, d.value));
    }
    KeyCapacity.keep(denies, record.key(), o.eventId(), o.at(), o.eventId(), seen, DENIES, metrics);
    near.add(new Deny(o.at(), o.eventId()));
    if (near.size() < rules.denyBurstThreshold()) {
      return;
    }
    near.sort(Comparator.comparingLong(Deny::at).thenComparing(Deny::eventId));
    // Windows [start, start + window) that contain o, by each candidate start; the first full one
    // wins.
    int end = 0;
    for (int start = 0; start < near.size() && near.get(start).at() <= o.at(); start++) {
      long limit = near.get(start).at() + window;
      if (limit <= o.at()) {
        continue;
      }
      end = Math.max(end, start);
      while (end < near.size() && near.get(end).at() < limit) {
        end++;
      }
      if (end - start >= rules.denyBurstThreshold()) {
        List<Deny> burst = near.subList(start, end);
        issuer.raise(
            new AlertIssuer.Finding(
                AlertType.DENY_BURST,
                Severity.MEDIUM,
                o.tenant(),
                o.actor(),
                // The burst's first deny, not the one that completed it: denies from several
                // partitions arrive in any order, and the alert id must not depend on it.
                burst.get(0).at(),
                o.actor(),
                null,
                null,
                burst.stream().map(Deny::eventId).toList(),
                burst.size()
                    + " denies for "
                    + o.actor()
                    + " within "
                    + rules.denyBurstWindow().toSeconds()
                    + " s (threshold "
                    + rules.denyBurstThreshold()
                    + "); last reason "
                    + o.reasonCode()
                    + (o.toolName() == null ? "" : " on " + o.toolName())));
        return;
      }
    }
  }
}
