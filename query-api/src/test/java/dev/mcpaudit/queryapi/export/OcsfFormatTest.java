package dev.mcpaudit.queryapi.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The OCSF export judged by OCSF itself: every line checked by {@link OcsfSchema} (the 1.3.0 schema
 * files), over thousands of varied decisions of every reason code; nothing of an event lost on the
 * way; and the README's sample lines are what the export writes and valid too.
 */
class OcsfFormatTest {
  private static final OcsfSchema SCHEMA = OcsfSchema.load();
  private static final int EVENTS = 5_000;
  private final OcsfFormat format = new OcsfFormat("0.1.0");

  @Test
  void everyLineOfThousandsOfVariedDecisionsIsValidApiActivity() throws Exception {
    VariedDecisions gen = new VariedDecisions(18);
    Set<String> codes = new TreeSet<>();
    Set<String> methods = new HashSet<>();
    Set<String> actorTypes = new HashSet<>();
    Set<Integer> activities = new HashSet<>();
    Set<Integer> severities = new HashSet<>();
    for (int i = 0; i < EVENTS; i++) {
      ObjectNode e = gen.next();
      String line = write(e);
      assertThat(line).endsWith("\n").hasLineCount(1);
      JsonNode o = EventCodec.mapper().readTree(line);
      assertThat(SCHEMA.check(o)).as("%s%n-> %s", e, line).isEmpty();
      codes.add(e.get("reason_code").asText());
      methods.add(e.at("/tool/method").asText());
      actorTypes.add(e.at("/actor/type").asText());
      activities.add(o.get("activity_id").asInt());
      severities.add(o.get("severity_id").asInt());
    }
    List<String> all = new ArrayList<>(VariedDecisions.ALLOW_CODES);
    all.addAll(VariedDecisions.DENY_CODES);
    all.addAll(VariedDecisions.CUSTOM_CODES);
    assertThat(codes).containsExactlyInAnyOrderElementsOf(all);
    assertThat(methods).containsExactlyInAnyOrderElementsOf(VariedDecisions.METHODS);
    assertThat(actorTypes).containsExactlyInAnyOrderElementsOf(VariedDecisions.ACTOR_TYPES);
    assertThat(activities)
        .containsExactlyInAnyOrder(OcsfFormat.ACTIVITY_READ, OcsfFormat.ACTIVITY_OTHER);
    assertThat(severities).containsExactlyInAnyOrder(1, 3, 4);
  }

  @Test
  void activityIsReadForReadingMethodsElseOtherNamedByTheMethod() throws Exception {
    VariedDecisions gen = new VariedDecisions(3);
    for (int i = 0; i < 200; i++) {
      ObjectNode e = gen.next();
      JsonNode o = EventCodec.mapper().readTree(write(e));
      String method = e.at("/tool/method").asText();
      boolean read =
          method.equals("resources/read")
              || method.equals("prompts/get")
              || method.endsWith("/list");
      assertThat(o.get("activity_id").asInt()).as(method).isEqualTo(read ? 2 : 99);
      assertThat(o.get("activity_name").asText()).isEqualTo(read ? "Read" : method);
      String code = e.get("reason_code").asText();
      int severity =
          code.equals("REPLAY_DETECTED") || code.equals("ALLOWED_BREAK_GLASS")
              ? 4
              : e.get("decision").asText().equals("allow") ? 1 : 3;
      assertThat(o.get("severity_id").asInt()).as(code).isEqualTo(severity);
      assertThat(o.get("message").asText())
          .startsWith(e.get("decision").asText() + " " + method + " ")
          .endsWith(": " + code);
    }
  }

  /** Where each field of the contract lands; a field with no entry here fails the test below. */
  private static final Map<String, List<String>> HOMES =
      Map.ofEntries(
          Map.entry("/schema", List.of("/metadata/log_version")),
          Map.entry("/event_id", List.of("/metadata/uid")),
          Map.entry("/kind", List.of("/class_uid")),
          Map.entry("/occurred_at", List.of("/metadata/original_time", "/time")),
          Map.entry("/received_at", List.of("/metadata/logged_time")),
          Map.entry("/tenant", List.of("/metadata/tenant_uid")),
          Map.entry("/decision", List.of("/actor/authorizations/0/decision")),
          Map.entry("/reason_code", List.of("/status_code")),
          Map.entry("/reason", List.of("/status_detail")),
          Map.entry("/handle/id", List.of("/actor/session/uid")),
          Map.entry("/handle/task", List.of("/unmapped/handle/task")),
          Map.entry("/handle/issued_at", List.of("/actor/session/created_time")),
          Map.entry("/handle/expires_at", List.of("/actor/session/expiration_time")),
          Map.entry("/handle/scopes/*", List.of("/unmapped/handle/scopes/*")),
          Map.entry("/handle/issuer", List.of("/actor/session/issuer")),
          Map.entry("/handle/previous_id", List.of("/unmapped/handle/previous_id")),
          Map.entry("/actor/id", List.of("/actor/user/uid")),
          Map.entry("/actor/type", List.of("/actor/user/type")),
          Map.entry("/actor/on_behalf_of", List.of("/unmapped/on_behalf_of")),
          Map.entry("/actor/client_id", List.of("/actor/app_uid")),
          Map.entry("/tool/server", List.of("/api/service/name", "/dst_endpoint/svc_name")),
          Map.entry("/tool/name", List.of("/api/operation")),
          Map.entry("/tool/method", List.of("/unmapped/mcp_method")),
          Map.entry("/tool/resource", List.of("/resources/0/uid")),
          Map.entry("/request/id", List.of("/api/request/uid")),
          Map.entry("/request/nonce", List.of("/unmapped/nonce")),
          Map.entry("/request/trace_id", List.of("/metadata/correlation_uid")),
          Map.entry("/request/span_id", List.of("/unmapped/span_id")),
          Map.entry("/request/args_hmac", List.of("/unmapped/args_hmac")),
          Map.entry("/source/gateway", List.of("/src_endpoint/name")),
          Map.entry("/source/worker", List.of("/src_endpoint/uid|/src_endpoint/name")),
          Map.entry("/source/region", List.of("/unmapped/source_region")),
          Map.entry("/source/authenticated", List.of("/metadata/log_provider")),
          Map.entry("/policy/id", List.of("/actor/authorizations/0/policy/uid")),
          Map.entry("/policy/version", List.of("/actor/authorizations/0/policy/version")),
          Map.entry("/policy/rule", List.of("/actor/authorizations/0/policy/desc")),
          Map.entry("/latency_us", List.of("/unmapped/latency_us")),
          Map.entry("/attributes/*", List.of("/unmapped/attributes/*")));

  @Test
  void nothingOfTheEventIsLost() throws Exception {
    VariedDecisions gen = new VariedDecisions(99);
    Set<String> seen = new TreeSet<>();
    for (int i = 0; i < 1_000; i++) {
      ObjectNode e = gen.next();
      JsonNode o = EventCodec.mapper().readTree(write(e));
      for (Map.Entry<String, JsonNode> leaf : leaves(e, "")) {
        String path = leaf.getKey();
        String generic = path.replaceFirst("^/(handle/scopes|attributes)/.*$", "/$1/*");
        seen.add(generic);
        List<String> homes = HOMES.get(generic);
        assertThat(homes).as("no OCSF home for %s", path).isNotNull();
        for (String home : homes) {
          String concrete =
              home.endsWith("/*")
                  ? home.substring(0, home.length() - 1) + path.substring(generic.length() - 1)
                  : home;
          assertThat(
                  Stream.of(concrete.split("\\|"))
                      .anyMatch(h -> carries(o.at(h), path, leaf.getValue())))
              .as("%s = %s should be at %s in %s", path, leaf.getValue(), concrete, o)
              .isTrue();
        }
      }
    }
    assertThat(seen).as("every home is exercised").containsAll(HOMES.keySet());
  }

  /**
   * Whether an OCSF value carries the event's: times as epoch milliseconds, OCSF's own words for
   * enums.
   */
  private static boolean carries(JsonNode ocsf, String path, JsonNode value) {
    if (ocsf.isMissingNode()) {
      return false;
    }
    if (path.equals("/kind")) {
      return value.asText().equals("decision") && ocsf.asInt() == OcsfFormat.CLASS_UID;
    }
    if (path.equals("/actor/type")) {
      return ocsf.asText().equalsIgnoreCase(value.asText());
    }
    if (ocsf.isIntegralNumber() && value.isTextual()) {
      return Rfc3339.parse(value.asText())
          .map(t -> t.toEpochMilli() == ocsf.asLong())
          .orElse(false);
    }
    return ocsf.equals(value) || ocsf.asText().equals(value.asText());
  }

  private static List<Map.Entry<String, JsonNode>> leaves(JsonNode n, String path) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        out.addAll(leaves(f.getValue(), path + "/" + f.getKey()));
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        out.addAll(leaves(n.get(i), path + "/" + i));
      }
    } else {
      out.add(Map.entry(path, n));
    }
    return out;
  }

  @Test
  void anEventThatNamesNoSourceGetsTheSourceThePipelineKnows() throws Exception {
    ObjectNode e = new VariedDecisions(5).next();
    e.remove("source");
    // Nothing recorded of its arrival: the endpoint is there (OCSF requires it) and says so.
    JsonNode unknown = EventCodec.mapper().readTree(write(e));
    assertThat(unknown.at("/src_endpoint/name").asText()).isEqualTo("unknown");
    assertThat(SCHEMA.check(unknown)).isEmpty();

    // A publisher's stamp: its key id is the source, and the provenance says how it arrived.
    e.putObject("_meta").put("provenance", "publisher").put("provenance_by", "gw-eu-1-key");
    JsonNode stamped = EventCodec.mapper().readTree(write(e));
    assertThat(stamped.at("/src_endpoint/name").asText()).isEqualTo("gw-eu-1-key");
    assertThat(stamped.at("/src_endpoint/svc_name").asText()).isEqualTo("mcp-audit publisher");
    assertThat(stamped.at("/unmapped/provenance").asText()).isEqualTo("publisher");
    assertThat(SCHEMA.check(stamped)).isEmpty();
  }

  @Test
  void timesKeepTheirOffsetAndTheReceiveTime() throws Exception {
    ObjectNode e = new VariedDecisions(6).next();
    e.put("occurred_at", "2026-11-20T16:03:27.412+02:00")
        .put("received_at", "2026-11-20T14:03:27.530Z");
    JsonNode o = EventCodec.mapper().readTree(write(e));
    assertThat(o.get("time").asLong())
        .isEqualTo(Rfc3339.parse("2026-11-20T14:03:27.412Z").orElseThrow().toEpochMilli());
    assertThat(o.get("timezone_offset").asInt()).isEqualTo(120);
    assertThat(o.at("/metadata/original_time").asText()).isEqualTo("2026-11-20T16:03:27.412+02:00");
    assertThat(o.at("/metadata/logged_time").asLong()).isEqualTo(o.get("time").asLong() + 118);
    assertThat(OcsfFormat.offsetMinutes("2026-11-20T08:33:27Z")).isZero();
    assertThat(OcsfFormat.offsetMinutes("2026-11-20T08:33:27-05:30")).isEqualTo(-330);
  }

  @Test
  void theCheckerRefusesWhatOcsfDoesNotHave() throws Exception {
    JsonNode good = EventCodec.mapper().readTree(write(new VariedDecisions(7).next()));
    assertThat(SCHEMA.check(good)).isEmpty();
    assertThat(SCHEMA.check(with(good, o -> ((ObjectNode) o.get("actor")).put("handle", "h-1"))))
        .containsExactly("/actor/handle: Actor has no attribute 'handle'");
    assertThat(SCHEMA.check(with(good, o -> o.put("activity_id", 5))))
        .contains("/activity_id: 5 is not one of activity_id's ids [0, 1, 2, 3, 4, 99]");
    assertThat(
            SCHEMA.check(
                with(
                    good,
                    o ->
                        o.put("activity_id", 99)
                            .put("activity_name", "Other")
                            .put("type_uid", 600399))))
        .containsExactly(
            "/activity_name: with activity_id 99 (Other) it must hold the source's own value, got \"Other\"");
    assertThat(SCHEMA.check(with(good, o -> o.put("severity", "Low"))))
        .containsExactly(
            "/severity: \"Low\" is not the caption of severity_id "
                + good.get("severity_id")
                + " (\""
                + good.get("severity").asText()
                + "\")");
    assertThat(SCHEMA.check(with(good, o -> o.put("time", "2026-11-20T14:03:27Z"))))
        .containsExactly("/time: must be a long integer, got string");
    assertThat(SCHEMA.check(with(good, o -> o.put("type_uid", 600301))))
        .containsExactly(
            "/type_uid: 600301 is not class_uid * 100 + activity_id = "
                + (600300 + good.get("activity_id").asInt()));
    assertThat(SCHEMA.check(with(good, o -> ((ObjectNode) o.get("metadata")).remove("product"))))
        .containsExactly("/metadata/product: required by Metadata but missing");
    assertThat(SCHEMA.check(with(good, o -> ((ObjectNode) o.at("/actor/user")).put("type_id", 7))))
        .containsExactly("/actor/user/type_id: 7 is not one of type_id's ids [0, 1, 2, 3, 99]");
    assertThat(
            SCHEMA.check(
                with(
                    good,
                    o ->
                        ((ObjectNode) o.get("actor"))
                            .putObject("session")
                            .put("expiration_time", "soon"))))
        .containsExactly("/actor/session/expiration_time: must be a long integer, got string");
    assertThat(SCHEMA.check(with(good, o -> o.putObject("cloud").put("provider", "aws"))))
        .containsExactly(
            "/cloud: belongs to profile 'cloud', which metadata.profiles does not declare");
    assertThat(SCHEMA.check(with(good, o -> ((ObjectNode) o.get("api")).remove("operation"))))
        .containsExactly("/api/operation: required by API but missing");
  }

  private static JsonNode with(JsonNode o, java.util.function.Consumer<ObjectNode> change) {
    ObjectNode copy = o.deepCopy();
    change.accept(copy);
    return copy;
  }

  @Test
  void theReadmeSamplesAreWhatTheExportWritesAndValidOcsf() throws Exception {
    List<String> samples = readmeSamples();
    assertThat(samples).hasSizeGreaterThanOrEqualTo(2);
    Map<String, JsonNode> examples = new java.util.HashMap<>();
    try (Stream<Path> files = Files.list(Path.of("../schemas/examples/valid"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".json")).toList()) {
        JsonNode e = EventCodec.mapper().readTree(p.toFile());
        examples.put(e.path("event_id").asText(), e);
      }
    }
    Set<String> activities = new HashSet<>();
    for (String sample : samples) {
      JsonNode o = EventCodec.mapper().readTree(sample);
      assertThat(SCHEMA.check(o)).as(sample).isEmpty();
      JsonNode input = examples.get(o.at("/metadata/uid").asText());
      assertThat(input)
          .as("an example event in schemas/examples/valid with event_id %s", o.at("/metadata/uid"))
          .isNotNull();
      String written = write(input);
      assertThat(written.strip())
          .as("the README sample is what the export writes for %s", o.at("/metadata/uid"))
          .isEqualTo(sample);
      activities.add(o.get("activity_name").asText());
    }
    assertThat(activities).contains("Read", "tools/call");
  }

  /** The lines of the ```json block after the README's OCSF samples marker. */
  static List<String> readmeSamples() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("../README.md"), StandardCharsets.UTF_8);
    int marker = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("<!-- ocsf-samples -->")) {
        marker = i;
      }
    }
    assertThat(marker).as("README marker <!-- ocsf-samples -->").isNotNegative();
    int i = marker + 1;
    while (!lines.get(i).strip().equals("```json")) {
      i++;
    }
    List<String> out = new ArrayList<>();
    for (i++; !lines.get(i).strip().equals("```"); i++) {
      if (!lines.get(i).isBlank()) {
        out.add(lines.get(i).strip());
      }
    }
    return out;
  }

  private String write(JsonNode e) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    format.write(e, out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
