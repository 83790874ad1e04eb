package dev.mcpaudit.detector.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class ObservationSerdeTest {
  private static final Observation FULL =
      new Observation(
          "tenant-ä",
          "ev-1",
          EventKind.DECISION,
          Instant.parse("2026-11-26T10:00:00Z").toEpochMilli(),
          Decision.DENY,
          "POLICY_DENY",
          "spiffe://example.org/agent/ü-1",
          "h-1",
          Instant.parse("2026-11-26T11:00:00Z").toEpochMilli(),
          "github",
          "create_issue",
          "nonce-" + "x".repeat(300),
          "gw-1",
          "w-2",
          Instant.parse("2026-11-26T10:00:05Z").toEpochMilli(),
          Instant.parse("2026-11-27T10:00:00Z").toEpochMilli(),
          2);

  private static final Observation SPARSE =
      new Observation(
          "t",
          "ev-2",
          EventKind.HANDLE_REVOKED,
          -1,
          null,
          null,
          "a",
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          Long.MIN_VALUE,
          null,
          -1);

  @Test
  void everyFieldComesBackAsItWent() {
    for (Observation o : new Observation[] {FULL, SPARSE}) {
      assertThat(ObservationSerde.decode(ObservationSerde.encode(o))).isEqualTo(o);
    }
  }

  @Test
  void theJsonWrittenBeforeThisFormatIsStillRead() {
    byte[] json = JsonSerde.of(Observation.class).serializer().serialize("t", FULL);
    assertThat(json[0]).isEqualTo((byte) '{');
    assertThat(ObservationSerde.decode(json)).isEqualTo(FULL);
  }

  @Test
  void halfTheJsonOrLess() {
    byte[] json = JsonSerde.of(Observation.class).serializer().serialize("t", SPARSE);
    assertThat(ObservationSerde.encode(SPARSE).length * 2).isLessThanOrEqualTo(json.length);
  }

  @Test
  void bytesItDidNotWriteAreRefusedAsSerializationErrorsOnly() {
    byte[] good = ObservationSerde.encode(FULL);
    // Every truncation, and a few forgeries: a refusal the deserialization handler can skip.
    for (int n = 0; n < good.length; n++) {
      byte[] cut = Arrays.copyOf(good, n);
      assertThatThrownBy(() -> ObservationSerde.decode(cut))
          .isInstanceOf(SerializationException.class);
    }
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] version = good.clone();
    version[0] = 9;
    byte[] hugeString = {ObservationSerde.VERSION, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
    byte[] badKind = ObservationSerde.encode(SPARSE);
    // The kind's name starts after the tenant ("t") and the event id ("ev-2").
    badKind[1 + 2 + 5 + 1] = 'X';
    for (byte[] forged : new byte[][] {trailing, version, hugeString, badKind}) {
      assertThatThrownBy(() -> ObservationSerde.decode(forged))
          .isInstanceOf(SerializationException.class);
    }
  }
}
