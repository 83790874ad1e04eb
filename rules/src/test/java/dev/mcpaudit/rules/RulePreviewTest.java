package dev.mcpaudit.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.alert.AlertIds;
import dev.mcpaudit.schema.alert.AlertType;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulePreviewTest {
  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

  private static CustomRule rule(int threshold, Duration window, Duration suppression) {
    return new CustomRule(
        "deletes",
        "Allowed deletes",
        "acme",
        "decision:allow AND tool.name:delete_*",
        List.of("actor.id"),
        threshold,
        window,
        Severity.HIGH,
        suppression,
        List.of("ASI02"),
        true,
        1,
        null,
        null,
        false);
  }

  private static JsonNode event(String id, String actor, long secondsAfter) {
    ObjectNode e = EventCodec.mapper().createObjectNode();
    e.put("event_id", id);
    e.put("tenant", "acme");
    e.put("occurred_at", T0.plusSeconds(secondsAfter).toString());
    e.putObject("actor").put("id", actor);
    return e;
  }

  @Test
  void thresholdWithinTheWindowRaisesOncePerGroupAnchoredAtTheFirstEvent() {
    RulePreview p = RulePreview.of(rule(3, Duration.ofMinutes(10), Duration.ofMinutes(10)), 100);
    // a: three within 10 min, then a fourth (suppressed); b: three, but spread over 20 min; c:
    // three.
    p.accept(event("e1", "a", 0));
    p.accept(event("e2", "b", 0));
    p.accept(event("e3", "a", 60));
    p.accept(event("e4", "a", 120));
    p.accept(event("e5", "a", 130));
    p.accept(event("e6", "b", 700));
    p.accept(event("e7", "c", 800));
    p.accept(event("e8", "b", 1400));
    p.accept(event("e9", "c", 801));
    p.accept(event("e10", "c", 802));
    assertThat(p.alerts())
        .extracting(RulePreview.Would::subject, RulePreview.Would::evidence)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", List.of("e1", "e3", "e4")),
            org.assertj.core.groups.Tuple.tuple("c", List.of("e7", "e9", "e10")));
    assertThat(p.suppressed()).isEqualTo(1);
    assertThat(p.alerts().get(0).alertId())
        .isEqualTo(AlertIds.of(AlertType.CUSTOM_RULE, "acme", "deletes\u001fa", T0.toEpochMilli()));
    assertThat(p.events()).isEqualTo(10);
  }

  @Test
  void everyMatchRaisesUnlessSuppressedAndAGroupCanAlertAgainLater() {
    RulePreview p = RulePreview.of(rule(1, Duration.ofMinutes(1), Duration.ofMinutes(5)), 100);
    p.accept(event("e1", "a", 0));
    p.accept(event("e2", "a", 100)); // within 5 min of e1's alert
    p.accept(event("e3", "a", 400)); // past it
    p.accept(event("e4", "b", 401));
    assertThat(p.alerts())
        .extracting(RulePreview.Would::evidence)
        .containsExactly(List.of("e1"), List.of("e3"), List.of("e4"));
  }

  @Test
  void aRepeatedEventIsCountedOnce() {
    RulePreview p = RulePreview.of(rule(3, Duration.ofMinutes(10), Duration.ofMinutes(10)), 100);
    p.accept(event("e1", "a", 0));
    p.accept(event("e1", "a", 0));
    p.accept(event("e2", "a", 1));
    assertThat(p.alerts()).isEmpty();
    p.accept(event("e3", "a", 2));
    assertThat(p.alerts()).hasSize(1);
  }

  @Test
  void listsAtMostTheCapButCountsEveryAlert() {
    RulePreview p = RulePreview.of(rule(1, Duration.ofMinutes(1), Duration.ofSeconds(1)), 2);
    for (int i = 0; i < 5; i++) {
      p.accept(event("e" + i, "a", i * 10L));
    }
    assertThat(p.alerts()).hasSize(2);
    assertThat(p.raised()).isEqualTo(5);
    assertThat(p.truncated()).isTrue();
  }
}
