package dev.mcpaudit.schema.alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An alert's workflow state with the changes that made it, oldest first: the fold of its changes in
 * topic order. {@link #apply} is the one rule every reader (each API replica, each indexer, a
 * rebuild) uses, so they all reach the same state from the same topic.
 *
 * @param version how many changes were applied (0: never touched)
 */
public record AlertTrack(int version, AlertState state, List<AlertChange> history) {
  /** Changes one alert may have; more are refused, so one alert's record stays bounded. */
  public static final int MAX_CHANGES = 500;

  public static final AlertTrack NEW = new AlertTrack(0, AlertState.NEW, List.of());

  public AlertTrack {
    Objects.requireNonNull(state, "state");
    history = List.copyOf(history);
    if (history.size() != version) {
      throw new IllegalArgumentException(
          "a track of version " + version + " needs as many changes");
    }
  }

  /**
   * The track with {@code change} applied, or empty when it does not apply: written on another
   * version or state than this one (a concurrent writer got there first), or past {@link
   * #MAX_CHANGES}.
   */
  public Optional<AlertTrack> apply(AlertChange change) {
    if (change.version() != version + 1 || !change.from().equals(state) || version >= MAX_CHANGES) {
      return Optional.empty();
    }
    List<AlertChange> more = new ArrayList<>(history.size() + 1);
    more.addAll(history);
    more.add(change);
    return Optional.of(new AlertTrack(change.version(), change.to(), more));
  }

  /**
   * The rule: a change applies on top of the alert's version it names and the state it says it was
   * made on, within {@link #MAX_CHANGES}.
   */
  public static boolean follows(int version, AlertState state, AlertChange change) {
    return change.version() == version + 1 && change.from().equals(state) && version < MAX_CHANGES;
  }

  /** When the last change was made, if any. */
  public Optional<Instant> updatedAt() {
    return history.isEmpty() ? Optional.empty() : Optional.of(history.getLast().at());
  }

  /** Who made the last change, if anyone. */
  public Optional<String> updatedBy() {
    return history.isEmpty() ? Optional.empty() : Optional.of(history.getLast().by());
  }
}
