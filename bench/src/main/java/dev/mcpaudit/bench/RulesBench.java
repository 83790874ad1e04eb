package dev.mcpaudit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.rules.CustomRule;
import dev.mcpaudit.rules.EventDocument;
import dev.mcpaudit.rules.RuleBook;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What matching analysts' rules costs the detector per event, alone in one thread: the events of
 * the detector bench against the same N rules over three tenants ({@link CustomRules}), as the
 * detector's bind step runs them (required terms first, then the query on the event's in-memory
 * index). Three rounds, the first warming the JIT.
 */
final class RulesBench {
  private RulesBench() {}

  static void run(BenchArgs args) {
    int n = args.eventsOr(200_000);
    int count = args.customRules() > 0 ? args.customRules() : 100;
    List<CustomRule> rules = new ArrayList<>(CustomRules.rules(count));
    RuleBook book = RuleBook.of(rules, TermPolicy.DEFAULT, why -> {});
    SyntheticEvents gen = new SyntheticEvents(7, Instant.parse("2026-11-20T10:00:00Z"));
    List<JsonNode> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      events.add(EventCodec.mapper().valueToTree(gen.next()));
    }
    EventDocument doc = new EventDocument();
    for (int round = 0; round < 3; round++) {
      long matches = 0;
      long start = System.nanoTime();
      for (JsonNode e : events) {
        matches += book.matches(e.path("tenant").asText(), e, doc).size();
      }
      double secs = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "rules: round %d, %d rules over 3 tenants, %,d events: %,.0f events/s (%.1f µs each), %.2f matches/event%n",
          round + 1, count, n, n / secs, secs * 1e6 / n, (double) matches / n);
    }
  }
}
