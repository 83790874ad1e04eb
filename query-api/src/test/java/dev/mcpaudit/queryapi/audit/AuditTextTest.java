package dev.mcpaudit.queryapi.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.Actor;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Tool;
import dev.mcpaudit.schema.validation.EventValidator;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whatever a token's principal is, the audit event carrying it passes the contract's validator. */
class AuditTextTest {
  static final List<String> HOSTILE =
      List.of(
          "x".repeat(10_000),
          "alice\nFAKE LOG LINE",
          "bob smith",
          "tab\there",
          "nul\u0000byte",
          "c1\u0085control",
          "bidi\u202Eevil",
          "line\u2028sep",
          "lone\uD800surrogate",
          "emoji-\uD83D\uDE00-ok",
          "back\\slash\u0007",
          "ünïcödé-" + "é".repeat(300));

  @Test
  void aPrincipalTheContractAcceptsIsKeptAsItIs() {
    assertThat(AuditText.principal("alice")).isEqualTo("alice");
    assertThat(AuditText.principal("spiffe://acme.example/agent/x"))
        .isEqualTo("spiffe://acme.example/agent/x");
    assertThat(AuditText.principal("emoji-\uD83D\uDE00-ok")).isEqualTo("emoji-\uD83D\uDE00-ok");
    assertThat(AuditText.principal(null)).isEqualTo("anonymous");
    assertThat(AuditText.principal("  ")).isEqualTo("anonymous");
  }

  @Test
  void anyOtherPrincipalIsRecordedEscapedCutAndDigestedNeverDropped() {
    EventValidator validator = EventValidator.withSystemClock();
    for (String raw : HOSTILE) {
      String safe = AuditText.principal(raw);
      String reason = AuditText.reason("refused " + raw);
      JsonNode event =
          EventCodec.mapper()
              .valueToTree(
                  AuthzEvent.builder()
                      .eventId("api-1")
                      .kind(EventKind.DECISION)
                      .occurredAt(Instant.now())
                      .tenant("_system")
                      .decision(Decision.DENY)
                      .reasonCode("POLICY_DENY")
                      .reason(reason)
                      .actor(Actor.of(safe, ActorType.USER))
                      .tool(new Tool("mcp-audit", "api.export", "http/request", null))
                      .build());
      assertThat(validator.validate(event, -1))
          .as(raw.length() > 40 ? raw.substring(0, 40) : raw)
          .isEmpty();
      assertThat(safe.codePointCount(0, safe.length())).isLessThanOrEqualTo(256);
      assertThat(safe).doesNotContain("\n", "\u0000", "\u202E", "\u2028", " ");
    }
    String cut = AuditText.principal("x".repeat(10_000));
    assertThat(cut).startsWith("xxxx").contains(AuditText.DIGEST_MARK);
    assertThat(AuditText.principal("alice\nFAKE")).startsWith("alice\\u000aFAKE~sha256:");
    // Two principals that differ only past the cut are still two records.
    assertThat(AuditText.principal("x".repeat(10_000) + "a"))
        .isNotEqualTo(AuditText.principal("x".repeat(10_000) + "b"));
    // An escaped rendering and a principal that spells the escape out are never the same record.
    assertThat(AuditText.principal("a\nb")).isNotEqualTo(AuditText.principal("a\\u000ab"));
  }
}
