package dev.mcpaudit.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.ValidationError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventValidatorTest {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  final EventValidator validator = new EventValidator(Clock.fixed(NOW, ZoneOffset.UTC));

  static ObjectNode decision() throws Exception {
    return (ObjectNode)
        EventCodec.mapper()
            .readTree(
                """
                {"schema":"mcp.authz/v1","event_id":"e-1","kind":"decision",
                 "occurred_at":"2026-11-26T11:59:00Z","tenant":"acme","decision":"allow",
                 "reason_code":"ALLOWED","actor":{"id":"agent-1","type":"agent"},
                 "tool":{"server":"github","name":"list_repos","method":"tools/call"}}
                """);
  }

  List<String> pointers(ObjectNode event) {
    return validator.validate(event, -1).stream().map(ValidationError::pointer).toList();
  }

  @Test
  void reportsEveryErrorInOnePass() throws Exception {
    ObjectNode e = decision();
    e.put("event_id", "");
    e.put("kind", "decision");
    e.put("decision", "perhaps");
    ((ObjectNode) e.get("actor")).remove("type");
    e.put("occurred_at", "yesterday");
    e.put("extra", 1);

    assertThat(pointers(e))
        .containsExactlyInAnyOrder(
            "/event_id", "/decision", "/actor/type", "/occurred_at", "/extra");
  }

  @Test
  void occurredAtMayBeAtMostFiveMinutesAheadOfTheReceiversClockByDefault() throws Exception {
    ObjectNode e = decision();
    e.put("occurred_at", "2026-11-26T12:04:00Z");
    assertThat(pointers(e)).isEmpty();
    e.put("occurred_at", "2026-11-26T12:05:00Z");
    assertThat(pointers(e)).isEmpty();
    e.put("occurred_at", "2026-11-26T12:06:00Z");
    assertThat(validator.validate(e, -1))
        .singleElement()
        .satisfies(
            err -> {
              assertThat(err.pointer()).isEqualTo("/occurred_at");
              assertThat(err.rule()).isEqualTo("future");
              assertThat(err.message())
                  .contains(
                      "more than 5m ahead", "2026-11-26T12:00:00Z", "validation.max-future-skew");
            });
    // An offset that puts it back within the skew is fine: the instant counts, not the digits.
    e.put("occurred_at", "2026-11-26T14:04:00+02:00");
    assertThat(pointers(e)).isEmpty();
  }

  @Test
  void theFutureSkewIsConfigurable() throws Exception {
    EventValidator lenient =
        new EventValidator(
            Clock.fixed(NOW, ZoneOffset.UTC),
            EventValidator.MAX_EVENT_BYTES,
            Duration.ofMinutes(30));
    ObjectNode e = decision();
    e.put("occurred_at", "2026-11-26T12:29:00Z");
    assertThat(lenient.validate(e, -1)).isEmpty();
    e.put("occurred_at", "2026-11-26T12:31:00Z");
    assertThat(lenient.validate(e, -1))
        .singleElement()
        .satisfies(err -> assertThat(err.message()).contains("30m"));
  }

  @Test
  void aSourceNamesItsGateway() throws Exception {
    ObjectNode e = decision();
    e.putObject("source").put("worker", "w1");
    assertThat(validator.validate(e, -1))
        .singleElement()
        .satisfies(
            err -> {
              assertThat(err.pointer()).isEqualTo("/source/gateway");
              assertThat(err.rule()).isEqualTo("required");
              assertThat(err.message()).contains("name the gateway");
            });
    e.putObject("source");
    assertThat(pointers(e)).containsExactly("/source/gateway");
    e.putObject("source").put("gateway", "gw-eu-1").put("worker", "w1");
    assertThat(pointers(e)).isEmpty();
  }

  @Test
  void theCollectorsStampAloneIsTheOneSourceWithoutAGateway() throws Exception {
    ObjectNode e = decision();
    e.putObject("source").put("authenticated", "gateway-eu-1");
    assertThat(pointers(e)).isEmpty();
    e.putObject("source").put("authenticated", "gateway-eu-1").put("region", "eu");
    assertThat(pointers(e)).containsExactly("/source/gateway");
  }

  @Test
  void customReasonCodesAreAllowedKnownOnesMustMatchTheDecision() throws Exception {
    ObjectNode e = decision();
    e.put("reason_code", "SPECIAL_GRANT");
    assertThat(pointers(e)).isEmpty();
    e.put("decision", "deny");
    e.put("reason_code", "ALLOWED_BREAK_GLASS");
    List<ValidationError> errors = validator.validate(e, -1);
    assertThat(errors).singleElement().extracting(ValidationError::rule).isEqualTo("polarity");
    assertThat(errors.get(0).message()).contains("POLICY_DENY", "HANDLE_REVOKED");
  }

  @Test
  void messagesSayWhatIsAllowed() throws Exception {
    ObjectNode e = decision();
    e.put("kind", "session.started");
    assertThat(validator.validate(e, -1).get(0).message())
        .contains("\"decision\"", "\"handle.issued\"", "\"session.started\"");
  }

  @Test
  void attributeKeysAreEscapedInPointers() throws Exception {
    ObjectNode e = decision();
    e.putObject("attributes").put("a/b~c", 7);
    assertThat(pointers(e)).containsExactly("/attributes/a~1b~0c");
  }

  @Test
  void echoedValuesCannotForgeLogLines() throws Exception {
    ObjectNode e = decision();
    e.put("decision", "allow\nlevel=INFO msg=forged");
    String message = validator.validate(e, -1).get(0).message();
    assertThat(message).doesNotContain("\n").contains("\\u000a");
  }

  @Test
  void sizeLimitCountsBytesAsReceived() throws Exception {
    ObjectNode e = decision();
    assertThat(pointers(e)).isEmpty();
    assertThat(validator.validate(e, EventValidator.MAX_EVENT_BYTES)).isEmpty();
    assertThat(validator.validate(e, EventValidator.MAX_EVENT_BYTES + 1))
        .singleElement()
        .extracting(ValidationError::rule)
        .isEqualTo("size");
  }

  @Test
  void nonObjectsAndNullsAreReportedNotThrown() throws Exception {
    assertThat(validator.validate(EventCodec.mapper().readTree("[]"), 2))
        .singleElement()
        .extracting(ValidationError::rule)
        .isEqualTo("type");
    ObjectNode e = decision();
    e.putNull("tool");
    e.putNull("tenant");
    assertThat(pointers(e)).containsExactlyInAnyOrder("/tool", "/tenant");
  }
}
