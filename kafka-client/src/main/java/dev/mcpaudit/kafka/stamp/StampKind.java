package dev.mcpaudit.kafka.stamp;

import java.util.Locale;
import java.util.Optional;

/** Who a stamp says wrote a record (docs/provenance.md). */
public enum StampKind {
  /** The HTTP collector, which authenticated the source and stamped the event. */
  COLLECTOR,
  /** The API's own audit trail (tenant {@code _system}). */
  API,
  /** A gateway's {@code DecisionPublisher}, under the gateway's own key. */
  PUBLISHER,
  /** The detector's alerts. */
  DETECTOR,
  /** Alerts the indexer raises itself (conflicting duplicates). */
  INDEXER;

  /** The name on the wire and in the index. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<StampKind> fromWire(String s) {
    for (StampKind k : values()) {
      if (k.wire().equals(s)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** Whether a key of this scope may vouch for this kind. */
  public boolean allowedFor(StampKey.Scope scope) {
    return scope == StampKey.Scope.PUBLISHER ? this == PUBLISHER : this != PUBLISHER;
  }
}
