package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * REPLAY: one request nonce in decisions with different event ids, whichever gateway or worker made
 * them. Records arrive keyed by tenant and nonce. The same event delivered twice (a publisher
 * retry) has the same event id and is not a replay.
 */
final class ReplayProcessor extends RuleProcessor<Observation> {
  static final String NONCES = "replay-nonces";
  static final String ISSUED = "replay-alerts";

  private static final org.apache.kafka.common.serialization.Serde<Observation> SERDE =
      ObservationSerde.INSTANCE;

  private TimedStore<Observation> nonces;

  ReplayProcessor(Rules rules, DetectorMetrics metrics) {
    super(rules, metrics, ISSUED);
  }

  @Override
  protected Observation observation(Observation o) {
    return o;
  }

  @Override
  protected void open(ProcessorContext<String, Alert> context) {
    this.nonces = timed(NONCES, SERDE, rules.nonceMemory().plus(rules.widest().grace()));
  }

  @Override
  protected void judge(Record<String, Observation> record) {
    Observation o = record.value();
    if (late(o)) {
      return;
    }
    long memory = rules.nonceMemory().toMillis();
    KeyCapacity.Read<Observation> seen =
        nonces.read(record.key(), o.at() - memory, o.at() + memory, KeyCapacity.NONCE, metrics);
    List<Observation> uses = new ArrayList<>(seen.values());
    for (Observation u : uses) {
      if (u.eventId().equals(o.eventId())) {
        return; // the same event again: at-least-once delivery, not a replay
      }
    }
    KeyCapacity.keep(nonces, record.key(), o, o.at(), o.eventId(), seen, NONCES, metrics);
    if (uses.isEmpty()) {
      return;
    }
    uses.add(o);
    uses.sort(Comparator.comparingLong(Observation::at).thenComparing(Observation::eventId));
    List<String> workers =
        uses.stream().map(Observation::workerKey).filter(Objects::nonNull).distinct().toList();
    Observation first = uses.get(0);
    issuer.raise(
        new AlertIssuer.Finding(
            AlertType.REPLAY,
            Severity.HIGH,
            o.tenant(),
            o.nonce(),
            // Never before the second use in event time: the two uses of a replay come from two
            // partitions in either order, and the alert id must not depend on which came first.
            Math.max(o.at(), uses.get(1).at()),
            first.actor(),
            first.handle(),
            first.toolName(),
            uses.stream().map(Observation::eventId).toList(),
            "request nonce "
                + o.nonce()
                + " used by "
                + (seen.full() ? "at least " : "")
                + uses.size()
                + " decisions with different event ids"
                + (workers.isEmpty() ? "" : " from " + String.join(", ", workers))
                + "; first "
                + first.eventId()
                + " by "
                + first.actor()));
  }
}
