package dev.mcpaudit.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Whether an event completes a burst: at least {@code threshold} events within a window of event
 * time that contains it. A late event can complete a burst before or after it, so every window
 * holding it is tried, earliest first; the alert is anchored at the burst's first event, which does
 * not depend on the order events arrived in.
 */
public final class Bursts {
  private Bursts() {}

  /** One counted event. */
  public record Hit(long at, String eventId) {}

  /**
   * @param near the counted events within {@code [at - window + 1, at + window - 1]}, the new one
   *     included, in any order
   * @return the first full window holding {@code at}, oldest first
   */
  public static Optional<List<Hit>> find(List<Hit> near, long at, long window, int threshold) {
    if (near.size() < threshold) {
      return Optional.empty();
    }
    List<Hit> sorted = new ArrayList<>(near);
    sorted.sort(Comparator.comparingLong(Hit::at).thenComparing(Hit::eventId));
    int end = 0;
    for (int start = 0; start < sorted.size() && sorted.get(start).at() <= at; start++) {
      long limit = sorted.get(start).at() + window;
      if (limit <= at) {
        continue;
      }
      end = Math.max(end, start);
      while (end < sorted.size() && sorted.get(end).at() < limit) {
        end++;
      }
      if (end - start >= threshold) {
        return Optional.of(List.copyOf(sorted.subList(start, end)));
      }
    }
    return Optional.empty();
  }
}
