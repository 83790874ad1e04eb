package dev.mcpaudit.schema.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertTrackTest {
  private static final Instant AT = Instant.parse("2026-03-02T08:00:00Z");
  private static final AlertState ACK = new AlertState(AlertStatus.ACKNOWLEDGED, "alice", null);
  private static final AlertState CLOSED =
      new AlertState(AlertStatus.CLOSED, "alice", CloseReason.FALSE_POSITIVE);

  private static AlertChange change(String id, int version, AlertState from, AlertState to) {
    return new AlertChange(
        id, "acme", "al-1", AT, version, AT.plusSeconds(version), "ana", from, to, "n " + id);
  }

  @Test
  void twoChangesOnOneVersionOnlyTheFirstApplies() {
    AlertTrack t = AlertTrack.NEW.apply(change("a", 1, AlertState.NEW, ACK)).orElseThrow();
    assertThat(t.apply(change("b", 1, AlertState.NEW, CLOSED))).as("same version again").isEmpty();
    assertThat(t.apply(change("c", 2, AlertState.NEW, CLOSED)))
        .as("from a state it is not in")
        .isEmpty();
    assertThat(t.apply(change("d", 3, ACK, CLOSED))).as("skips a version").isEmpty();
    AlertTrack closed = t.apply(change("e", 2, ACK, CLOSED)).orElseThrow();
    assertThat(closed.version()).isEqualTo(2);
    assertThat(closed.state()).isEqualTo(CLOSED);
    assertThat(closed.history()).extracting(AlertChange::changeId).containsExactly("a", "e");
    assertThat(closed.updatedBy()).contains("ana");
  }

  @Test
  void aTrackStopsAtItsLimit() {
    AlertTrack t = AlertTrack.NEW;
    for (int v = 1; v <= AlertTrack.MAX_CHANGES; v++) {
      AlertState to = v % 2 == 1 ? ACK : AlertState.NEW;
      t = t.apply(change("c" + v, v, t.state(), to)).orElseThrow();
    }
    AlertState to = t.state().equals(ACK) ? AlertState.NEW : ACK;
    assertThat(t.apply(change("over", t.version() + 1, t.state(), to))).isEmpty();
  }

  @Test
  void changesAndTracksRoundTripAndAreReadStrictly() {
    AlertChange c = change("a-1", 1, AlertState.NEW, CLOSED);
    assertThat(AlertChangeCodec.read(AlertChangeCodec.bytes(c))).isEqualTo(c);
    AlertTrack t = AlertTrack.NEW.apply(c).orElseThrow();
    assertThat(AlertChangeCodec.track(AlertChangeCodec.trackBytes(t))).isEqualTo(t);

    String good = new String(AlertChangeCodec.bytes(c), StandardCharsets.UTF_8);
    for (String[] bad :
        new String[][] {
          {"\"version\":1", "\"version\":0", "version"},
          {"\"version\":1", "\"version\":\"1\"", "version"},
          {"\"status\":\"closed\"", "\"status\":\"gone\"", "to.status"},
          {"\"close_reason\":\"false_positive\"", "\"close_reason\":null", "to.close_reason"},
          {"\"assignee\":\"alice\"", "\"assignee\":\"al ice\"", "to.assignee"},
          {"\"change_id\":\"a-1\"", "\"change_id\":\"a/1\"", "change_id"},
          {"\"by\":\"ana\"", "\"by\":\"a\\nb\"", "by"},
          {"\"at\":\"", "\"at\":\"x", "at"},
        }) {
      String json = good.replace(bad[0], bad[1]);
      assertThat(json).as(bad[1]).isNotEqualTo(good);
      assertThatThrownBy(() -> AlertChangeCodec.read(json.getBytes(StandardCharsets.UTF_8)))
          .as(bad[1])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(bad[2]);
    }
    assertThatThrownBy(() -> AlertChangeCodec.read("[]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
    String longNote =
        good.replace("\"n a-1\"", "\"" + "x".repeat(AlertChangeCodec.MAX_NOTE + 1) + "\"");
    assertThatThrownBy(() -> AlertChangeCodec.read(longNote.getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("note");
  }
}
