package dev.mcpaudit.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.Rfc3339;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A rule run over stored events instead of live ones, oldest first: {@link Correlation} over memory
 * that keeps each group's last two windows, so a preview of weeks holds no more than a window's
 * worth per group. Nothing is written; what it returns is what the live rule raises on the same
 * events in the same order (README, "Alert rules").
 */
public final class RulePreview {
  /** An alert the rule would have raised. */
  public record Would(
      String alertId,
      String tenant,
      String subject,
      Instant anchoredAt,
      Instant lastAt,
      int events,
      List<String> evidence) {}

  private final Correlation.Spec spec;
  private final Function<JsonNode, String> subjectOf;
  private final int maxAlerts;
  private final InMemory memory;
  private final List<Would> alerts = new ArrayList<>();
  private long events;
  private long suppressed;
  private boolean truncated;

  /**
   * @param subjectOf the group an event counts in
   * @param maxAlerts alerts listed at most; past that they are counted only
   */
  public RulePreview(Correlation.Spec spec, Function<JsonNode, String> subjectOf, int maxAlerts) {
    this.spec = spec;
    this.subjectOf = subjectOf;
    this.maxAlerts = maxAlerts;
    this.memory = new InMemory(2 * spec.windowMs(), 2 * spec.suppressionMs());
  }

  /** A preview of an analyst's rule. */
  public static RulePreview of(CustomRule rule, int maxAlerts) {
    return new RulePreview(Correlation.Spec.of(rule), e -> RuleBook.subject(rule, e), maxAlerts);
  }

  private long raised;

  /** Judges the next event (one the rule's query matched), in occurred_at order. */
  public void accept(JsonNode event) {
    events++;
    String tenant = event.path("tenant").asText();
    long at =
        Rfc3339.parse(event.path("occurred_at").asText())
            .map(Instant::toEpochMilli)
            .orElse(Long.MIN_VALUE);
    Bursts.Hit hit = new Bursts.Hit(at, event.path("event_id").asText());
    String subject = subjectOf.apply(event);
    Correlation.Outcome o =
        Correlation.judge(
            spec,
            tenant,
            subject,
            hit,
            memory,
            r -> {
              raised++;
              if (alerts.size() >= maxAlerts) {
                truncated = true;
                return;
              }
              List<String> ids = r.evidence().stream().map(Bursts.Hit::eventId).toList();
              alerts.add(
                  new Would(
                      r.alertId(),
                      tenant,
                      subject,
                      Instant.ofEpochMilli(r.anchor()),
                      Instant.ofEpochMilli(r.evidence().get(r.evidence().size() - 1).at()),
                      ids.size(),
                      ends(ids)));
            });
    if (o == Correlation.Outcome.SUPPRESSED) {
      suppressed++;
    }
    if ((events & 0xffff) == 0) {
      memory.sweep(at);
    }
  }

  public List<Would> alerts() {
    return List.copyOf(alerts);
  }

  /** Events judged. */
  public long events() {
    return events;
  }

  /** Alerts raised, listed or not. */
  public long raised() {
    return raised;
  }

  /** Windows that were full but fell within an earlier alert's suppression. */
  public long suppressed() {
    return suppressed;
  }

  public boolean truncated() {
    return truncated;
  }

  /** The first and the last 50 event ids, as an alert keeps them. */
  static List<String> ends(List<String> ids) {
    int n = ids.size();
    if (n <= 100) {
      return ids;
    }
    List<String> out = new ArrayList<>(ids.subList(0, 50));
    out.addAll(ids.subList(n - 50, n));
    return out;
  }

  /** Per key, entries by time; older than the horizon behind the newest are dropped. */
  private static final class InMemory implements Correlation.Memory {
    private final long keepHits;
    private final long keepIssued;
    private final Map<String, TreeMap<Long, List<Bursts.Hit>>> hits = new HashMap<>();
    private final Map<String, TreeMap<Long, String>> issued = new HashMap<>();

    InMemory(long keepHits, long keepIssued) {
      this.keepHits = keepHits;
      this.keepIssued = keepIssued;
    }

    @Override
    public List<Bursts.Hit> near(String key, long from, long to, int capacity) {
      List<Bursts.Hit> out = new ArrayList<>();
      TreeMap<Long, List<Bursts.Hit>> m = hits.get(key);
      if (m != null) {
        for (List<Bursts.Hit> at : m.subMap(from, true, to, true).values()) {
          for (Bursts.Hit h : at) {
            if (out.size() >= capacity) {
              return out;
            }
            out.add(h);
          }
        }
      }
      return out;
    }

    @Override
    public void keep(String key, Bursts.Hit hit) {
      TreeMap<Long, List<Bursts.Hit>> m = hits.computeIfAbsent(key, k -> new TreeMap<>());
      m.computeIfAbsent(hit.at(), t -> new ArrayList<>(1)).add(hit);
      m.headMap(hit.at() - keepHits, false).clear();
    }

    /** Forgets groups with nothing left within the horizon of {@code now}. */
    void sweep(long now) {
      hits.values().removeIf(m -> m.isEmpty() || m.lastKey() < now - keepHits);
      issued.values().removeIf(m -> m.isEmpty() || m.lastKey() < now - keepIssued);
    }

    @Override
    public boolean issuedNear(String key, long from, long to) {
      NavigableMap<Long, String> m = issued.get(key);
      return m != null && !m.subMap(from, true, to, true).isEmpty();
    }

    @Override
    public void issued(String key, long anchor, String alertId) {
      TreeMap<Long, String> m = issued.computeIfAbsent(key, k -> new TreeMap<>());
      m.put(anchor, alertId);
      m.headMap(anchor - keepIssued, false).clear();
    }
  }
}
