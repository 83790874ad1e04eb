package dev.mcpaudit.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Tenants;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.SourceScope;
import dev.mcpaudit.schema.validation.ValidationError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SourceScopeTest {
  final EventCodec codec = new EventCodec(new EventValidator(ExamplesTest.CLOCK));

  AuthzEvent event(String tenant, String source) {
    String json =
        """
        {"schema":"mcp.authz/v1","event_id":"e-1","kind":"decision","occurred_at":"2026-11-26T11:59:00Z",
         "tenant":"%s","decision":"allow","reason_code":"ALLOWED","actor":{"id":"agent-1","type":"agent"},
         "tool":{"server":"github","name":"list_repos","method":"tools/call"}%s}
        """
            .formatted(tenant, source == null ? "" : ",\"source\":" + source);
    EventCodec.Decoded d = codec.decode(json.getBytes(StandardCharsets.UTF_8));
    assertThat(d.errors()).isEmpty();
    return d.event();
  }

  static List<String> rules(List<ValidationError> errors) {
    return errors.stream().map(e -> e.pointer() + " " + e.rule()).toList();
  }

  @Test
  void aSourceWritesOnlyItsOwnTenants() {
    SourceScope acme = SourceScope.parse("acme, initech", null);
    assertThat(acme.check(event("acme", null))).isEmpty();
    assertThat(acme.check(event("initech", null))).isEmpty();
    List<ValidationError> errors = acme.check(event("globex", null));
    assertThat(rules(errors)).containsExactly("/tenant scope");
    assertThat(errors.get(0).message()).contains("\"globex\"", "acme, initech");
  }

  @Test
  void systemIsInNoSourcesScopeNotEvenEveryTenant() {
    for (SourceScope s :
        List.of(
            SourceScope.everyTenant(),
            SourceScope.parse("*", ""),
            SourceScope.parse("acme", null))) {
      assertThat(rules(s.check(event(Tenants.SYSTEM, null))))
          .as(s.toString())
          .containsExactly("/tenant reserved");
    }
    assertThat(SourceScope.everyTenant().check(event("anyone", null))).isEmpty();
    assertThatThrownBy(() -> SourceScope.parse("acme,_system", null))
        .hasMessageContaining("_system");
    assertThat(SourceScope.apiAuditTrail().check(event(Tenants.SYSTEM, null))).isEmpty();
    assertThat(rules(SourceScope.apiAuditTrail().check(event("acme", null))))
        .containsExactly("/tenant scope");
  }

  @Test
  void aGatewayListLimitsTheGatewayASourceMayName() {
    SourceScope eu = SourceScope.parse("acme", "gw-eu-1");
    assertThat(eu.check(event("acme", "{\"gateway\":\"gw-eu-1\",\"worker\":\"w1\"}"))).isEmpty();
    assertThat(rules(eu.check(event("acme", "{\"gateway\":\"gw-us-1\"}"))))
        .containsExactly("/source/gateway scope");
    // Naming no gateway claims none.
    assertThat(eu.check(event("acme", null))).isEmpty();
    // Both wrong: both reported, so the sender fixes it in one round.
    assertThat(rules(eu.check(event("globex", "{\"gateway\":\"gw-us-1\"}"))))
        .containsExactly("/tenant scope", "/source/gateway scope");
  }

  @Test
  void aScopeIsWrittenOutNeverImplied() {
    assertThatThrownBy(() -> SourceScope.parse("", null)).hasMessageContaining("names no tenant");
    assertThatThrownBy(() -> SourceScope.parse(" , ", null))
        .hasMessageContaining("names no tenant");
    assertThatThrownBy(() -> SourceScope.parse("*,acme", null)).hasMessageContaining("mixes *");
    assertThatThrownBy(() -> SourceScope.parse("acme", "gw eu"))
        .hasMessageContaining("not a valid gateway");
    assertThat(SourceScope.parse("globex , acme", "gw-2,gw-1"))
        .hasToString("tenants acme, globex; gateways gw-1, gw-2");
    assertThat(SourceScope.everyTenant()).hasToString("tenants *");
  }
}
