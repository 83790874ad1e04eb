package dev.mcpaudit.detector.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The detector reads its fields from the parsed event; they must be those of the bound event. */
class ObservationTest {
  @Test
  void readFromTheParsedEventAsFromTheBoundOne() throws Exception {
    Instant t = Instant.parse("2026-11-26T10:00:00.123456Z");
    List<AuthzEvent> events = new ArrayList<>();
    SyntheticEvents gen = new SyntheticEvents(11, t);
    for (int i = 0; i < 2_000; i++) {
      events.add(gen.next());
    }
    events.add(Ev.lifecycle("r", EventKind.HANDLE_REVOKED, t).event());
    events.add(Ev.lifecycle("x", EventKind.HANDLE_EXPIRED, t).expires(t.plusSeconds(1)).event());
    events.add(Ev.deny("d", t).reason("HANDLE_SCOPE_MISMATCH").worker(null).event());
    events.add(Ev.allow("a", t).handle(null).nonce(null).tenant("tenant-ü").event());
    for (AuthzEvent e : events) {
      var parsed = EventCodec.mapper().readTree(EventCodec.encode(e));
      assertThat(Observation.of(parsed)).isEqualTo(Observation.of(e));
    }
  }
}
