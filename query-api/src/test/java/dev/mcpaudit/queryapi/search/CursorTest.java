package dev.mcpaudit.queryapi.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.TimeRange;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * Cursors are sealed for their caller and query and range-checked against the request: none can be
 * read, made or moved by hand.
 */
class CursorTest {
  private static final CursorKey KEY = CursorKey.of("a-key-of-at-least-thirty-two-characters!");
  private static final Instant AT = Instant.parse("2026-11-26T08:00:00Z");
  private static final TimeRange RANGE = new TimeRange(AT.minusSeconds(3600), AT.plusSeconds(3600));
  private static final String CAROL = "carol\nANALYST\nacme,globex";
  private static final Cursor.Binding BINDING =
      new Cursor.Binding(KEY, CAROL, "decision:deny", "acme");
  private static final Cursor CURSOR = new Cursor(AT.toEpochMilli(), "ev-1");

  private static void refused(
      String token, Cursor.Binding binding, TimeRange range, String message) {
    assertThatThrownBy(() -> Cursor.decode(token, binding, range))
        .isInstanceOf(InvalidQuery.class)
        .satisfies(
            e -> {
              assertThat(e.getMessage()).startsWith("cursor: ").contains(message);
            });
  }

  @Test
  void aCursorThisApiIssuedComesBackAsItWas() {
    assertThat(Cursor.decode(CURSOR.encode(BINDING), BINDING, RANGE)).isEqualTo(CURSOR);
    // Surrounding blanks of q are not part of the query.
    assertThat(
            Cursor.decode(
                CURSOR.encode(BINDING),
                new Cursor.Binding(KEY, CAROL, " decision:deny ", "acme"),
                RANGE))
        .isEqualTo(CURSOR);
    Cursor pipes = new Cursor(AT.toEpochMilli(), "ev|with|pipes");
    assertThat(Cursor.decode(pipes.encode(BINDING), BINDING, RANGE)).isEqualTo(pipes);
  }

  @Test
  void theForgedOverflowingCursorOfTheOldFormatIsRefused() {
    String forged =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("v1|-9223372036854775808|x".getBytes(StandardCharsets.UTF_8));
    TimeRange fromEpoch = new TimeRange(Instant.parse("1970-01-01T00:00:00.001Z"), AT);
    refused(forged, BINDING, fromEpoch, "not a cursor this API issued");
  }

  @Test
  void aCursorSaysNothingInClear() {
    String token = CURSOR.encode(BINDING);
    String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.ISO_8859_1);
    assertThat(decoded).doesNotContain("ev-1", Long.toString(AT.toEpochMilli()), "v3");
    // Sealed with a fresh nonce: the same position never gives the same text twice.
    assertThat(CURSOR.encode(BINDING)).isNotEqualTo(token);
  }

  @Test
  void anEditedCursorOrOneCarriedToAnotherCallerQueryTenantOrKeyIsRefused() {
    String token = CURSOR.encode(BINDING);
    byte[] raw = Base64.getUrlDecoder().decode(token);
    raw[raw.length / 2] ^= 1;
    refused(
        Base64.getUrlEncoder().withoutPadding().encodeToString(raw),
        BINDING,
        RANGE,
        "for this caller and query");
    refused(token.substring(0, 20), BINDING, RANGE, "not a cursor this API issued");
    refused(token + "." + token, BINDING, RANGE, "not a cursor this API issued");
    refused("!!!" + token, BINDING, RANGE, "not a cursor this API issued");
    refused(
        token,
        new Cursor.Binding(KEY, CAROL, "decision:allow", "acme"),
        RANGE,
        "for this caller and query");
    refused(
        token,
        new Cursor.Binding(KEY, CAROL, "decision:deny", null),
        RANGE,
        "for this caller and query");
    refused(
        token,
        new Cursor.Binding(CursorKey.random(), CAROL, "decision:deny", "acme"),
        RANGE,
        "for this caller and query");
    // Another tenant's caller, or the same name with other tenants or another role, cannot use it.
    refused(
        token,
        new Cursor.Binding(KEY, "mallory\nANALYST\nglobex", "decision:deny", "acme"),
        RANGE,
        "for this caller");
    refused(
        token,
        new Cursor.Binding(KEY, "carol\nANALYST\nacme", "decision:deny", "acme"),
        RANGE,
        "for this caller");
    refused(
        token,
        new Cursor.Binding(KEY, "carol\nADMIN\nacme,globex", "decision:deny", "acme"),
        RANGE,
        "for this caller");
    refused("A".repeat(5000), BINDING, RANGE, "not a cursor this API issued");
  }

  @Test
  void anAuthenticCursorOutsideTheRequestsWindowIsRefused() {
    String token = CURSOR.encode(BINDING);
    refused(
        token,
        BINDING,
        new TimeRange(AT.plusMillis(1), AT.plusSeconds(60)),
        "outside this request's window");
    refused(
        token, BINDING, new TimeRange(AT.minusSeconds(60), AT), "outside this request's window");
    // Values a shared key could sign are still checked: an absurd time or an id no event can have.
    for (Cursor bad :
        new Cursor[] {new Cursor(Long.MIN_VALUE, "x"), new Cursor(Long.MAX_VALUE, "x")}) {
      refused(bad.encode(BINDING), BINDING, RANGE, "outside this request's window");
    }
    refused(
        new Cursor(AT.toEpochMilli(), "has space").encode(BINDING),
        BINDING,
        RANGE,
        "not a cursor this API issued");
    refused(
        new Cursor(AT.toEpochMilli(), "x".repeat(257)).encode(BINDING),
        BINDING,
        RANGE,
        "not a cursor this API issued");
    refused(
        new Cursor(AT.toEpochMilli(), "ctl\u0001").encode(BINDING),
        BINDING,
        RANGE,
        "not a cursor this API issued");
  }

  @Test
  void aConfiguredKeyMustBeLongAndIsNeverPrinted() {
    assertThatThrownBy(() -> CursorKey.of("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("api.cursor-key");
    assertThat(KEY.toString()).doesNotContain("thirty-two").isEqualTo("CursorKey[configured]");
    assertThat(CursorKey.of(" ").toString()).isEqualTo("CursorKey[random per process]");
  }
}
