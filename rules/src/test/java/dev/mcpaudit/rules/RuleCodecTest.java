package dev.mcpaudit.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.ValidationError;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleCodecTest {
  private static JsonNode json(String s) throws Exception {
    return EventCodec.mapper().readTree(s);
  }

  private static List<String> errors(String id, String body) throws Exception {
    try {
      RuleCodec.fromRequest(id, json(body), TermPolicy.DEFAULT);
      return List.of();
    } catch (RuleCodec.Rejected e) {
      return e.errors().stream().map(ValidationError::toString).toList();
    }
  }

  @Test
  void aRuleReadsWithDefaultsAndGoesBackAsItCame() throws Exception {
    CustomRule r =
        RuleCodec.fromRequest(
            "allowed-deletes",
            json(
                """
                {"name":"Allowed deletes","tenant":"acme",
                 "query":"decision:allow AND tool.name:delete_*","group_by":["actor.id"],
                 "threshold":3,"window_seconds":600,"severity":"high","owasp":["ASI02"],
                 "version":99,"updated_by":"someone"}
                """),
            TermPolicy.DEFAULT);
    assertThat(r.threshold()).isEqualTo(3);
    assertThat(r.window()).isEqualTo(Duration.ofMinutes(10));
    assertThat(r.suppression()).isEqualTo(RuleCodec.DEFAULT_SUPPRESSION);
    assertThat(r.severity()).isEqualTo(Severity.HIGH);
    assertThat(r.enabled()).isTrue();
    // The API's fields are its own: a caller's version and author are not taken.
    assertThat(r.version()).isZero();
    assertThat(r.updatedBy()).isNull();
    CustomRule saved = r.savedBy("admin-1", Instant.parse("2026-11-20T10:00:00Z"), 4);
    CustomRule back = RuleCodec.fromTopic(RuleCodec.bytes(saved), TermPolicy.DEFAULT);
    assertThat(back).isEqualTo(saved);
    assertThat(back.version()).isEqualTo(5);
  }

  @Test
  void everyFieldAtFaultIsNamedWithTheParsersOwnMessage() throws Exception {
    assertThat(
            errors(
                "Bad Id!",
                """
                {"name":"","tenant":"_system","query":"decision:allow AND (",
                 "group_by":["actor.id","actor.id","reason","a","b"],"threshold":0,
                 "window_seconds":90000,"severity":"urgent","owasp":["ASI11"],"enabled":"yes",
                 "colour":"red"}
                """))
        .anySatisfy(e -> assertThat(e).startsWith("/colour: unknown field"))
        .anySatisfy(e -> assertThat(e).startsWith("/id: a rule id is"))
        .anySatisfy(e -> assertThat(e).startsWith("/name: name is 1 to 200"))
        .anySatisfy(e -> assertThat(e).startsWith("/tenant: tenants starting with '_'"))
        .anySatisfy(e -> assertThat(e).startsWith("/query: q: Cannot parse"))
        .anySatisfy(e -> assertThat(e).startsWith("/group_by: at most 3"))
        .anySatisfy(e -> assertThat(e).startsWith("/group_by: a field named twice"))
        .anySatisfy(e -> assertThat(e).startsWith("/group_by/2: cannot group by 'reason'"))
        .anySatisfy(e -> assertThat(e).startsWith("/threshold: threshold is a whole number"))
        .anySatisfy(e -> assertThat(e).startsWith("/window_seconds:"))
        .anySatisfy(e -> assertThat(e).startsWith("/severity: severity is one of"))
        .anySatisfy(e -> assertThat(e).startsWith("/owasp/0: not an OWASP"))
        .anySatisfy(e -> assertThat(e).startsWith("/enabled: enabled is true or false"));
  }

  @Test
  void queriesAreHeldToTheSearchSyntaxAndToWhatAnEventCarries() throws Exception {
    assertThat(errors("r1", "{\"name\":\"n\",\"tenant\":\"acme\",\"query\":\"colour:red\"}"))
        .singleElement()
        .asString()
        .contains("unknown field 'colour'");
    assertThat(errors("r1", "{\"name\":\"n\",\"tenant\":\"acme\",\"query\":\"tool.name:d?lete\"}"))
        .singleElement()
        .asString()
        .contains("a wildcard term must start with at least 3 literal characters");
    assertThat(
            errors("r1", "{\"name\":\"n\",\"tenant\":\"acme\",\"query\":\"provenance:collector\"}"))
        .singleElement()
        .asString()
        .contains("provenance is known where a record is stored");
    assertThat(
            errors(
                "r1",
                "{\"name\":\"n\",\"tenant\":\"acme\",\"query\":\"decision:deny AND NOT provenance.by:gw\"}"))
        .singleElement()
        .asString()
        .contains("provenance.by is known where a record is stored");
    assertThat(errors("r1", "{\"name\":\"n\",\"tenant\":\"acme\",\"query\":\"  \"}"))
        .singleElement()
        .asString()
        .contains("a rule needs a query");
    assertThat(errors("r1", "{\"name\":\"n\",\"tenant\":\"acme\",\"query\":\"decision:deny\"}"))
        .isEmpty();
  }

  @Test
  void aTopicRecordIsCheckedLikeARequest() {
    assertThatThrownBy(() -> RuleCodec.fromTopic("not json".getBytes(), TermPolicy.DEFAULT))
        .isInstanceOf(RuleCodec.Rejected.class)
        .hasMessageContaining("malformed JSON");
    assertThatThrownBy(
            () ->
                RuleCodec.fromTopic(
                    "{\"id\":\"x\",\"name\":\"n\",\"tenant\":\"acme\",\"query\":\"kind:zzz(\"}"
                        .getBytes(),
                    TermPolicy.DEFAULT))
        .isInstanceOf(RuleCodec.Rejected.class)
        .hasMessageContaining("/query");
  }
}
