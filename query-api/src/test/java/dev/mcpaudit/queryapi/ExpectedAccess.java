package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.Rfc3339;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The /access answer computed the slow, obvious way from the events themselves. */
record ExpectedAccess(
    long allow,
    long deny,
    Map<String, long[]> tools,
    Map<String, Long> denyReasons,
    Map<String, Long> handles,
    Map<String, String[]> seen,
    Map<String, TreeSet<String>> toolHandles) {

  static ExpectedAccess of(List<AuthzEvent> decisions) {
    Map<String, long[]> tools = new HashMap<>();
    Map<String, String[]> seen = new HashMap<>();
    Map<String, TreeSet<String>> toolHandles = new HashMap<>();
    Map<String, Long> reasons = new TreeMap<>();
    Map<String, Long> handles = new HashMap<>();
    long allow = 0;
    long deny = 0;
    for (AuthzEvent e :
        decisions.stream().sorted(Comparator.comparing(AuthzEvent::occurredAt)).toList()) {
      String key = e.tool().server() + "|" + e.tool().method() + "|" + e.tool().displayName();
      long[] c = tools.computeIfAbsent(key, k -> new long[2]);
      String t = Rfc3339.format(e.occurredAt());
      seen.computeIfAbsent(key, k -> new String[] {t, t})[1] = t;
      if (e.decision() == Decision.ALLOW) {
        allow++;
        c[0]++;
      } else {
        deny++;
        c[1]++;
        reasons.merge(e.reasonCode(), 1L, Long::sum);
      }
      if (e.handle() != null) {
        handles.merge(e.handle().id(), 1L, Long::sum);
        toolHandles.computeIfAbsent(key, k -> new TreeSet<>()).add(e.handle().id());
      }
    }
    return new ExpectedAccess(allow, deny, tools, reasons, handles, seen, toolHandles);
  }

  void assertMatches(JsonNode got) {
    assertThat(got.get("totals").get("decisions").asLong()).isEqualTo(allow + deny).isPositive();
    assertThat(got.get("totals").get("allow").asLong()).isEqualTo(allow);
    assertThat(got.get("totals").get("deny").asLong()).isEqualTo(deny);
    Map<String, Long> reasons = new TreeMap<>();
    got.get("deny_reasons")
        .fields()
        .forEachRemaining(f -> reasons.put(f.getKey(), f.getValue().asLong()));
    assertThat(reasons).isEqualTo(denyReasons);
    assertThat(got.get("tools")).hasSize(tools.size());
    long previous = Long.MAX_VALUE;
    for (JsonNode t : got.get("tools")) {
      String key =
          t.get("server").asText() + "|" + t.get("method").asText() + "|" + t.get("name").asText();
      assertThat(tools).containsKey(key);
      assertThat(new long[] {t.get("allow").asLong(), t.get("deny").asLong()})
          .as(key)
          .isEqualTo(tools.get(key));
      assertThat(t.get("first_seen").asText()).isEqualTo(seen.get(key)[0]);
      assertThat(t.get("last_seen").asText()).isEqualTo(seen.get(key)[1]);
      TreeSet<String> hs = new TreeSet<>();
      t.get("handles").forEach(h -> hs.add(h.asText()));
      assertThat(hs).isEqualTo(toolHandles.getOrDefault(key, new TreeSet<>()));
      long total = t.get("allow").asLong() + t.get("deny").asLong();
      assertThat(total).isLessThanOrEqualTo(previous);
      previous = total;
    }
    Map<String, Long> gotHandles = new HashMap<>();
    got.get("handles")
        .forEach(h -> gotHandles.put(h.get("id").asText(), h.get("decisions").asLong()));
    assertThat(gotHandles)
        .isEqualTo(
            handles.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }
}
