package dev.mcpaudit.rules;

import dev.mcpaudit.schema.alert.AlertIds;
import dev.mcpaudit.schema.alert.AlertType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a counting rule judges one event, the same whether the detector runs it live over its state
 * stores or a preview runs it over stored events in memory ({@link Memory}): count it for its
 * group, find a full window holding it ({@link Bursts}), and raise unless an alert for the same
 * group was raised within the suppression either side of the window's anchor. What is raised is
 * named by {@link AlertIds}, so a preview lists the ids the live rule raised.
 */
public final class Correlation {
  private static final char SEP = '\u001f';

  private Correlation() {}

  /**
   * What a rule counts and raises.
   *
   * @param rule the rule's id, which tells its groups and alerts from another rule's ({@code null}
   *     for a built-in type, whose subject alone names its alerts)
   */
  public record Spec(
      AlertType type, String rule, int threshold, long windowMs, long suppressionMs) {
    public static Spec of(CustomRule r) {
      return new Spec(
          AlertType.CUSTOM_RULE,
          r.id(),
          r.threshold(),
          r.window().toMillis(),
          r.suppression().toMillis());
    }

    /** The subject as the alert id digests it. */
    String idSubject(String subject) {
      return rule == null ? subject : rule + SEP + subject;
    }
  }

  /** The state a rule keeps, by key and event time. */
  public interface Memory {
    /** Counted events of {@code key} within [from, to], at most {@code capacity} of them. */
    List<Bursts.Hit> near(String key, long from, long to, int capacity);

    void keep(String key, Bursts.Hit hit);

    /** Whether an alert of {@code key} is anchored within [from, to]. */
    boolean issuedNear(String key, long from, long to);

    void issued(String key, long anchor, String alertId);
  }

  /** An alert to raise: its id, anchor and the events that make it, oldest first. */
  public record Raised(String alertId, long anchor, List<Bursts.Hit> evidence) {}

  /** What {@link #judge} made of an event. */
  public enum Outcome {
    COUNTED,
    DUPLICATE,
    SUPPRESSED,
    RAISED
  }

  /** The key a group's events are counted under. */
  public static String groupKey(Spec spec, String tenant, String subject) {
    return tenant + SEP + spec.idSubject(subject);
  }

  /**
   * Judges {@code hit} of the group {@code subject} of {@code tenant}.
   *
   * @param raised receives the alert when there is one
   */
  public static Outcome judge(
      Spec spec,
      String tenant,
      String subject,
      Bursts.Hit hit,
      Memory memory,
      java.util.function.Consumer<Raised> raised) {
    String key = groupKey(spec, tenant, subject);
    List<Bursts.Hit> burst;
    if (spec.threshold() <= 1) {
      burst = List.of(hit);
    } else {
      long window = spec.windowMs();
      // Any window holding the hit lies within [at - window + 1, at + window - 1]; once that range
      // holds twice the threshold, one of its halves is full, so reading more changes nothing.
      List<Bursts.Hit> near =
          new ArrayList<>(
              memory.near(key, hit.at() - window + 1, hit.at() + window - 1, 2 * spec.threshold()));
      for (Bursts.Hit h : near) {
        if (h.eventId().equals(hit.eventId())) {
          return Outcome.DUPLICATE;
        }
      }
      memory.keep(key, hit);
      near.add(hit);
      Optional<List<Bursts.Hit>> found = Bursts.find(near, hit.at(), window, spec.threshold());
      if (found.isEmpty()) {
        return Outcome.COUNTED;
      }
      burst = found.get();
    }
    long anchor = burst.get(0).at();
    String issuedKey = spec.type().name() + SEP + key;
    long s = spec.suppressionMs();
    if (memory.issuedNear(issuedKey, anchor - s + 1, anchor + s - 1)) {
      return Outcome.SUPPRESSED;
    }
    String id = AlertIds.of(spec.type(), tenant, spec.idSubject(subject), anchor);
    memory.issued(issuedKey, anchor, id);
    raised.accept(new Raised(id, anchor, burst));
    return Outcome.RAISED;
  }
}
