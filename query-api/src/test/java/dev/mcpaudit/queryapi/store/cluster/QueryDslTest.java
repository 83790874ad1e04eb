package dev.mcpaudit.queryapi.store.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.store.InvalidQuery;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.lucene.EventQueryParser;
import dev.mcpaudit.rules.query.TermPolicy;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The translation of the search syntax into the cluster's query DSL, node by node: what each form
 * becomes, that Lucene's boolean rules survive, and that a value can never become structure.
 */
class QueryDslTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** As the cluster receives it: written out and read back. */
  private static JsonNode dsl(String q) {
    return sent(QueryDsl.of(EventQueryParser.parse(q, TermPolicy.DEFAULT)));
  }

  private static JsonNode sent(JsonNode n) {
    try {
      return JSON.readTree(n.toString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  void aKeywordTermIsATermOnItsPathAndValuesStayValues() throws Exception {
    assertThat(dsl("decision:deny")).isEqualTo(json("{'term':{'decision':{'value':'deny'}}}"));
    assertThat(dsl("provenance:kafka"))
        .isEqualTo(json("{'term':{'provenance.kind':{'value':'kafka'}}}"));
    // Quotes, braces and a would-be tenant clause are one value, escaped as JSON.
    JsonNode hostile = dsl("actor.id:\"x\\\"}},{\\\"term\\\":{\\\"tenant\\\":\\\"t\"");
    assertThat(hostile.path("term").path("actor.id").path("value").asText())
        .isEqualTo("x\"}},{\"term\":{\"tenant\":\"t");
    assertThat(hostile.size()).isEqualTo(1);
  }

  @Test
  void booleansKeepLuceneSemantics() throws Exception {
    JsonNode and = dsl("decision:deny AND tool.name:read_file");
    assertThat(and.path("bool").path("must")).hasSize(2);
    assertThat(and.path("bool").path("minimum_should_match").asInt()).isZero();
    JsonNode or = dsl("decision:deny OR tool.name:read_file");
    assertThat(or.path("bool").path("should")).hasSize(2);
    assertThat(or.path("bool").path("minimum_should_match").asInt()).isEqualTo(1);
    // Lucene matches nothing with prohibitions alone; so must the cluster.
    assertThat(dsl("NOT decision:deny")).isEqualTo(json("{'match_none':{}}"));
    JsonNode but = dsl("tool.name:read_file NOT decision:deny");
    assertThat(but.path("bool").path("must_not")).hasSize(1);
    assertThat(but.path("bool").path("must")).hasSize(1);
  }

  @Test
  void timesAreMillisecondRangesClampedToWhatADateHolds() throws Exception {
    assertThat(dsl("occurred_at:[\"2026-03-02T08:00:00Z\" TO \"2026-03-02T09:00:00Z\"}"))
        .isEqualTo(json("{'range':{'occurred_at':{'gte':1772438400000,'lte':1772441999999}}}"));
    assertThat(dsl("occurred_at:[1772438400000 TO *]"))
        .isEqualTo(json("{'range':{'occurred_at':{'gte':1772438400000}}}"));
    // Far beyond year 9999: nothing can be there, and the cluster is not asked to parse it.
    assertThat(dsl("occurred_at:[999999999999999999 TO *]")).isEqualTo(json("{'match_none':{}}"));
    assertThat(dsl("latency_us:[10 TO 20]"))
        .isEqualTo(json("{'range':{'latency_us':{'gte':10,'lte':20}}}"));
  }

  @Test
  void termWalksAndTextTranslateAsParsed() throws Exception {
    assertThat(dsl("tool.name:create_*"))
        .isEqualTo(json("{'prefix':{'tool.name':{'value':'create_'}}}"));
    assertThat(dsl("event_id:ev-1?2*"))
        .isEqualTo(json("{'wildcard':{'event_id':{'value':'ev-1?2*'}}}"));
    assertThat(dsl("tool.name:[create_a TO create_z]"))
        .isEqualTo(json("{'range':{'tool.name':{'gte':'create_a','lte':'create_z'}}}"));
    assertThat(dsl("reason:Denied"))
        .isEqualTo(json("{'term':{'reason':{'value':'denied'}}}")); // analyzed as Lucene does
    assertThat(dsl("reason:\"denied by policy\""))
        .isEqualTo(json("{'match_phrase':{'reason':{'query':'denied by policy','slop':0}}}"));
  }

  @Test
  void thePolicyIsTheParsersSoTheClusterNeverSeesARefusedQuery() {
    for (String q : new String[] {"actor.id:/spiffe.*/", "event_id:*", "tool.name:c*"}) {
      assertThatThrownBy(() -> dsl(q))
          .isInstanceOf(InvalidQuery.class)
          .hasMessageStartingWith("q:");
    }
  }

  @Test
  void aTenantScopeIsOneFilterNoQueryCanWiden() throws Exception {
    Caller bob = new Caller("bob", Role.ANALYST, Set.of("tenant-1"), false);
    assertThat(sent(ClusterQueries.tenants(TenantScope.of(bob, null))))
        .isEqualTo(json("{'terms':{'tenant':['tenant-1']}}"));
    Caller ana = new Caller("ana", Role.ANALYST, Set.of(), true);
    assertThat(sent(ClusterQueries.tenants(TenantScope.of(ana, null))))
        .isEqualTo(
            json(
                "{'bool':{'filter':[{'match_all':{}}],'must_not':[{'term':{'tenant':{'value':'_system'}}}]}}"));
    Caller root = new Caller("root", Role.ADMIN, Set.of(), true);
    assertThat(sent(ClusterQueries.tenants(TenantScope.of(root, null))))
        .isEqualTo(json("{'match_all':{}}"));
    assertThat(sent(ClusterQueries.tenants(TenantScope.of(ana, "tenant-2"))))
        .isEqualTo(json("{'term':{'tenant':{'value':'tenant-2'}}}"));
  }
}
