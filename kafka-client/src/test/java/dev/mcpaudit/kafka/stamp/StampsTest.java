package dev.mcpaudit.kafka.stamp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StampsTest {
  private static final byte[] VALUE =
      "{\"event_id\":\"e-1\",\"tenant\":\"acme\"}".getBytes(StandardCharsets.UTF_8);
  private final StampKey roles = StampKey.generate("roles-1", StampKey.Scope.ROLES);
  private final StampKey gateway = StampKey.generate("gw-eu-1", StampKey.Scope.PUBLISHER);

  private static Headers stamped(Stamps signer, StampKind kind, byte[] value) {
    Headers h = new RecordHeaders();
    signer.stamp(h, kind, value);
    return h;
  }

  @Test
  void aStampProvesItsKindAndKeyForTheBytesItWasMadeFor() {
    Stamps collector = new Stamps(List.of(), roles);
    Stamps indexer = new Stamps(List.of(roles), null);
    Headers h = stamped(collector, StampKind.COLLECTOR, VALUE);

    assertThat(indexer.verify(h, VALUE)).contains(new Stamps.Proof(StampKind.COLLECTOR, "roles-1"));
    byte[] edited = VALUE.clone();
    edited[3] ^= 1;
    assertThat(indexer.verify(h, edited)).isEmpty();
    assertThat(indexer.verify(new RecordHeaders(), VALUE)).isEmpty();
  }

  @Test
  void aForgedOrMangledStampProvesNothing() {
    Stamps indexer = new Stamps(List.of(roles, gateway), null);
    for (String forged :
        List.of(
            "v1 collector roles-1 AAAA",
            "v1 collector roles-1 not-base64!!",
            "v1 collector unknown-key AAAA",
            "v2 collector roles-1 AAAA",
            "v1 superuser roles-1 AAAA",
            "v1 collector roles-1",
            "",
            "x".repeat(10_000))) {
      Headers h = new RecordHeaders().add(Stamps.HEADER, forged.getBytes(StandardCharsets.UTF_8));
      assertThat(indexer.verify(h, VALUE)).as(forged).isEmpty();
    }
    // A key nobody configured, with the same id as a configured one.
    StampKey impostor = StampKey.generate("roles-1", StampKey.Scope.ROLES);
    Headers h = stamped(new Stamps(List.of(), impostor), StampKind.DETECTOR, VALUE);
    assertThat(indexer.verify(h, VALUE)).isEmpty();
  }

  @Test
  void aGatewayKeyCannotVouchForMcpAuditsOwnRoles() {
    Stamps indexer = new Stamps(List.of(roles, gateway), null);
    Stamps publisher = new Stamps(List.of(), gateway);
    assertThat(indexer.verify(stamped(publisher, StampKind.PUBLISHER, VALUE), VALUE))
        .contains(new Stamps.Proof(StampKind.PUBLISHER, "gw-eu-1"));
    for (StampKind k : List.of(StampKind.COLLECTOR, StampKind.API, StampKind.DETECTOR)) {
      assertThatThrownBy(() -> publisher.sign(k, VALUE))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot vouch for " + k.wire());
    }
    // And mcp-audit's key does not make publisher records.
    assertThatThrownBy(() -> new Stamps(List.of(), roles).sign(StampKind.PUBLISHER, VALUE))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aValidStampAmongJunkStillCountsAndStampReplacesWhatWasThere() {
    Stamps detector = new Stamps(List.of(), roles);
    Headers h = new RecordHeaders().add(Stamps.HEADER, "v1 detector roles-1 AAAA".getBytes());
    detector.stamp(h, StampKind.DETECTOR, VALUE);
    assertThat(h.headers(Stamps.HEADER)).hasSize(1);
    h.add(Stamps.HEADER, "junk".getBytes());
    assertThat(new Stamps(List.of(roles), null).verify(h, VALUE))
        .contains(new Stamps.Proof(StampKind.DETECTOR, "roles-1"));
  }

  @Test
  void rotationAcceptsTheOldAndTheNewKey() {
    StampKey next = StampKey.generate("roles-2", StampKey.Scope.ROLES);
    Stamps reader = new Stamps(List.of(roles, next), null);
    assertThat(reader.verify(stamped(new Stamps(List.of(), roles), StampKind.API, VALUE), VALUE))
        .isPresent();
    assertThat(reader.verify(stamped(new Stamps(List.of(), next), StampKind.API, VALUE), VALUE))
        .isPresent();
    assertThatThrownBy(() -> new Stamps(List.of(roles, roles), null))
        .hasMessageContaining("configured twice");
  }

  @Test
  void keyFilesRoundTripAndNeverShowTheSecret(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("k.key");
    Files.writeString(file, roles.encode());
    StampKey read = StampKey.read(file);
    assertThat(read).isEqualTo(roles);
    String secret = roles.encode().strip().split("\n")[1].split(" ")[4];
    assertThat(read.toString())
        .isEqualTo("StampKey[id=roles-1, scope=roles]")
        .doesNotContain(secret);

    Files.writeString(file, "mcp-audit-stamp-key v1 k roles c2hvcnQ\n");
    assertThatThrownBy(() -> StampKey.read(file)).hasMessageContaining("at least 32 bytes");
    Files.writeString(file, "something else entirely " + secret);
    assertThatThrownBy(() -> StampKey.read(file))
        .hasMessageContaining("is not a stamp key file")
        .message()
        .doesNotContain(secret);
    assertThatThrownBy(() -> StampKey.read(dir.resolve("missing")))
        .hasMessageContaining("cannot read stamp key file");
    assertThat(Arrays.asList(StampKey.Scope.values())).hasSize(2);
  }
}
