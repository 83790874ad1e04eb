package dev.mcpaudit.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schema and the hand-written validator must agree: what one accepts the other
 * accepts. A gateway author who validates with the schema file in CI must not be surprised by the
 * collector. Rules JSON Schema cannot express (size, clock, order) and parse errors are skipped.
 */
class SchemaAgreementTest {
  static final Set<String> NOT_EXPRESSIBLE_IN_SCHEMA =
      Set.of(
          "event-over-16-kib.json",
          "occurred-at-far-future.json",
          "handle-expires-before-issued.json",
          "malformed-json.json",
          "duplicate-key.json",
          "trailing-content.json");

  static Schema eventSchema;
  static Schema alertSchema;

  @BeforeAll
  static void load() throws Exception {
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    try (InputStream in =
            SchemaAgreementTest.class.getResourceAsStream("/schemas/event.v1.schema.json");
        InputStream alert =
            SchemaAgreementTest.class.getResourceAsStream("/schemas/alert.v1.schema.json")) {
      eventSchema = registry.getSchema(in);
      alertSchema = registry.getSchema(alert);
    }
  }

  @Test
  void schemaAcceptsEveryValidExample() {
    for (Path file : ExampleFiles.list("valid")) {
      for (byte[] bytes : ExampleFiles.events(file)) {
        List<Error> errors = eventSchema.validate(tree(bytes));
        assertThat(errors).as(file.toString()).isEmpty();
      }
    }
  }

  @Test
  void schemaRejectsEveryInvalidExampleItCanExpress() throws Exception {
    int checked = 0;
    for (Path file : ExampleFiles.list("invalid")) {
      if (NOT_EXPRESSIBLE_IN_SCHEMA.contains(file.getFileName().toString())) {
        continue;
      }
      List<Error> errors = eventSchema.validate(tree(Files.readAllBytes(file)));
      assertThat(errors).as(file.toString()).isNotEmpty();
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(25);
  }

  @Test
  void schemaAndValidatorAgreeOnWhenASourceNeedsItsGateway() throws Exception {
    dev.mcpaudit.schema.validation.EventValidator validator =
        new dev.mcpaudit.schema.validation.EventValidator(ExamplesTest.CLOCK);
    String base =
        new String(
            Files.readAllBytes(Path.of("examples/valid/decision-minimal.json")),
            java.nio.charset.StandardCharsets.UTF_8);
    for (String source :
        List.of(
            "{\"authenticated\":\"gw\"}",
            "{\"gateway\":\"g\",\"authenticated\":\"gw\"}",
            "{\"worker\":\"w1\"}",
            "{}",
            "{\"authenticated\":\"gw\",\"region\":\"eu\"}")) {
      JsonNode event =
          tree(
              base.replace("\"tenant\"", "\"source\": " + source + ", \"tenant\"")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      boolean schemaAccepts = eventSchema.validate(event).isEmpty();
      boolean validatorAccepts = validator.validate(event, -1).isEmpty();
      assertThat(schemaAccepts).as(source).isEqualTo(validatorAccepts);
      assertThat(validatorAccepts)
          .as(source)
          .isEqualTo(source.contains("gateway") || source.equals("{\"authenticated\":\"gw\"}"));
    }
  }

  @Test
  void alertSchemaMatchesTheAlertRecord() throws Exception {
    JsonNode alert =
        EventCodec.mapper()
            .readTree(
                """
                {"alert_id":"REPLAY:n-1:29467380","type":"REPLAY","severity":"high","tenant":"acme",
                 "detected_at":"2026-11-20T14:05:00Z","subject":"n-1","actor":"agent-1",
                 "evidence":["e-1","e-2"],"summary":"nonce n-1 used by 2 decisions on 2 workers"}
                """);
    assertThat(alertSchema.validate(alert)).isEmpty();
    dev.mcpaudit.schema.alert.Alert bound =
        EventCodec.mapper().treeToValue(alert, dev.mcpaudit.schema.alert.Alert.class);
    JsonNode back = EventCodec.mapper().valueToTree(bound);
    // Written before alerts carried OWASP identifiers: read back with its type's.
    assertThat(back.path("owasp").toString()).isEqualTo("[\"ASI03\"]");
    assertThat(alertSchema.validate(back)).isEmpty();
    ((com.fasterxml.jackson.databind.node.ObjectNode) back).remove("owasp");
    assertThat(back).isEqualTo(alert);
  }

  @Test
  void aRulesAlertNamesItsRuleAndCarriesItsOwnIdentifiers() throws Exception {
    JsonNode alert =
        EventCodec.mapper()
            .readTree(
                """
                {"alert_id":"al-1","type":"CUSTOM_RULE","severity":"high","tenant":"acme",
                 "detected_at":"2026-11-20T14:05:00Z","subject":"agent-1","actor":"agent-1",
                 "evidence":["e-1","e-2","e-3"],"summary":"3 matches",
                 "rule":{"id":"deletes","name":"Allowed deletes","version":2},"owasp":["ASI02"]}
                """);
    assertThat(alertSchema.validate(alert)).isEmpty();
    dev.mcpaudit.schema.alert.Alert bound =
        EventCodec.mapper().treeToValue(alert, dev.mcpaudit.schema.alert.Alert.class);
    assertThat(bound.rule().version()).isEqualTo(2);
    assertThat((JsonNode) EventCodec.mapper().valueToTree(bound)).isEqualTo(alert);
    ((com.fasterxml.jackson.databind.node.ObjectNode) alert).putArray("owasp").add("ASI11");
    assertThat(alertSchema.validate(alert)).isNotEmpty();
  }

  private static JsonNode tree(byte[] bytes) {
    try {
      return EventCodec.mapper().readTree(bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
