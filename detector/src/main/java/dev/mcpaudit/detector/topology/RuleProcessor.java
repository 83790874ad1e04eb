package dev.mcpaudit.detector.topology;

import dev.mcpaudit.detector.rules.Rules;
import dev.mcpaudit.schema.alert.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * What the rule processors share: the rules, the metrics, the alert issuer over the rule's own
 * suppression store, the one lateness test (against the source partition's watermark), and the
 * horizon of the source partitions feeding the task, by which time-keyed stores expire.
 */
abstract class RuleProcessor<V> implements Processor<String, V, String, Alert> {
  /** Most entries one expiry slice removes from one store; the rest go on the next. */
  private static final int EXPIRE_PER_PASS = 50_000;

  protected final Rules rules;
  protected final DetectorMetrics metrics;
  private final String issuedStore;
  private final Duration suppression;
  private final SourceHorizon horizon = new SourceHorizon();
  private final List<TimeKeyedStore<?>> expiring = new ArrayList<>();
  protected ProcessorContext<String, Alert> context;
  protected AlertIssuer issuer;

  /** The rule's suppression per tenant; null: each tenant's {@code suppression} threshold. */
  private final Duration fixedSuppression;

  RuleProcessor(Rules rules, DetectorMetrics metrics, String issuedStore) {
    this(rules, metrics, issuedStore, null);
  }

  RuleProcessor(Rules rules, DetectorMetrics metrics, String issuedStore, Duration suppression) {
    this.rules = rules;
    this.metrics = metrics;
    this.issuedStore = issuedStore;
    this.fixedSuppression = suppression;
    this.suppression = suppression == null ? rules.widest().suppression() : suppression;
  }

  @Override
  public final void init(ProcessorContext<String, Alert> context) {
    this.context = context;
    this.issuer =
        new AlertIssuer(
            context,
            timed(issuedStore, Serdes.String(), suppression.plus(rules.widest().grace())),
            fixedSuppression == null
                ? tenant -> rules.forTenant(tenant).suppression().toMillis()
                : tenant -> fixedSuppression.toMillis(),
            metrics);
    open(context);
    if (!expiring.isEmpty()) {
      context.schedule(Duration.ofSeconds(10), PunctuationType.WALL_CLOCK_TIME, this::expire);
    }
  }

  /** Gets the rule's own stores (and schedules what it needs). */
  protected abstract void open(ProcessorContext<String, Alert> context);

  /** Judges one event. */
  protected abstract void judge(Record<String, V> record);

  /** The event a record is about. */
  protected abstract Observation observation(V value);

  @Override
  public final void process(Record<String, V> record) {
    if (!expiring.isEmpty()) {
      Observation o = observation(record.value());
      horizon.observe(o.sourcePartition(), o.watermark(), context.currentSystemTimeMs());
    }
    judge(record);
  }

  /**
   * The store {@code name} as the topology built it: a window store, or a time-keyed pair that
   * keeps entries for {@code retention} behind the slowest source partition.
   */
  @SuppressWarnings("unchecked")
  protected final <V> TimedStore<V> timed(String name, Serde<V> serde, Duration retention) {
    StateStore store = context.getStateStore(name);
    if (store instanceof WindowStore<?, ?> window) {
      return new WindowTimedStore<>((WindowStore<String, V>) window);
    }
    TimeKeyedStore<V> keyed =
        new TimeKeyedStore<>((KeyValueStore<Bytes, byte[]>) store, serde, retention.toMillis());
    expiring.add(keyed);
    return keyed;
  }

  private void expire(long wallMs) {
    long h = horizon.horizon(wallMs);
    for (TimeKeyedStore<?> s : expiring) {
      s.expire(h, EXPIRE_PER_PASS);
    }
  }

  /** Whether {@code o} is past the grace period; counted in the metrics when it is. */
  protected final boolean late(Observation o) {
    if (o.lateBy(rules.forTenant(o.tenant()).grace().toMillis())) {
      metrics.late();
      return true;
    }
    return false;
  }
}
