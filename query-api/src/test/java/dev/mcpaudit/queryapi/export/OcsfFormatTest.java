package dev.mcpaudit.queryapi.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The streaming OCSF writer against a plain tree-building reference of the README's mapping
 * table: the same JSON for every kind of event the generator makes (allow, deny, no handle, reason).
 */
class OcsfFormatTest {
  private static final int CATEGORY_UID = OcsfFormat.CATEGORY_UID;
  private static final int CLASS_UID = OcsfFormat.CLASS_UID;
  private static final String OCSF_VERSION = OcsfFormat.OCSF_VERSION;
  private final String productVersion = "test-1";

  @Test
  void streamedLinesEqualTheReferenceMapping() throws Exception {
    OcsfFormat format = new OcsfFormat(productVersion);
    SyntheticEvents gen = new SyntheticEvents(11, Instant.parse("2026-11-26T08:00:00Z"));
    for (int i = 0; i < 2_000; i++) {
      JsonNode e = EventCodec.mapper().readTree(EventCodec.encode(gen.next()));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      format.write(e, out);
      String line = out.toString(java.nio.charset.StandardCharsets.UTF_8);
      assertThat(line).endsWith("\n").hasLineCount(1);
      assertThat(EventCodec.mapper().readTree(line)).isEqualTo(map(e));
    }
  }

  /** The mapping as a tree, written for reading rather than speed. */
  ObjectNode map(JsonNode e) {
    ObjectNode o = EventCodec.mapper().createObjectNode();
    boolean allow = "allow".equals(e.path("decision").asText());
    String method = e.path("tool").path("method").asText();
    int activity = "resources/read".equals(method) ? 2 : 99;
    o.put("category_uid", CATEGORY_UID);
    o.put("category_name", "Application Activity");
    o.put("class_uid", CLASS_UID);
    o.put("class_name", "API Activity");
    o.put("activity_id", activity);
    o.put("activity_name", activity == 2 ? "Read" : "Other");
    o.put("type_uid", CLASS_UID * 100 + activity);
    o.put("time", Rfc3339.parse(e.path("occurred_at").asText()).orElseThrow().toEpochMilli());
    o.put("severity_id", allow ? 1 : 3);
    o.put("severity", allow ? "Informational" : "Medium");
    o.put("status_id", allow ? 1 : 2);
    o.put("status", allow ? "Success" : "Failure");
    o.put("status_code", e.path("reason_code").asText());
    if (e.hasNonNull("reason")) {
      o.put("status_detail", e.get("reason").asText());
    }
    ObjectNode metadata = o.putObject("metadata");
    metadata.put("version", OCSF_VERSION);
    metadata.put("uid", e.path("event_id").asText());
    metadata.put("tenant_uid", e.path("tenant").asText());
    ObjectNode product = metadata.putObject("product");
    product.put("name", "mcp-audit");
    product.put("vendor_name", "mcp-audit");
    product.put("version", productVersion);

    ObjectNode actor = o.putObject("actor");
    ObjectNode user = actor.putObject("user");
    user.put("uid", e.path("actor").path("id").asText());
    user.put("type", e.path("actor").path("type").asText());
    if (e.path("actor").hasNonNull("client_id")) {
      actor.put("app_uid", e.path("actor").path("client_id").asText());
    }
    ArrayNode authorizations = actor.putArray("authorizations");
    ObjectNode authz = authorizations.addObject();
    authz.put("decision", allow ? "allow" : "deny");
    if (e.hasNonNull("policy")) {
      ObjectNode policy = authz.putObject("policy");
      policy.put("uid", e.path("policy").path("id").asText());
      if (e.path("policy").hasNonNull("version")) {
        policy.put("version", e.path("policy").path("version").asText());
      }
      if (e.path("policy").hasNonNull("rule")) {
        policy.put("desc", e.path("policy").path("rule").asText());
      }
    }

    ObjectNode api = o.putObject("api");
    JsonNode tool = e.path("tool");
    api.put("operation", tool.hasNonNull("name") ? tool.get("name").asText() : method);
    api.putObject("service").put("name", tool.path("server").asText());
    api.putObject("request").put("uid", e.path("request").hasNonNull("id")
        ? e.path("request").path("id").asText() : e.path("event_id").asText());

    ObjectNode src = o.putObject("src_endpoint");
    JsonNode source = e.path("source");
    src.put("name", source.hasNonNull("gateway") ? source.get("gateway").asText() : "unknown");
    if (source.hasNonNull("worker")) {
      src.put("uid", source.get("worker").asText());
    }

    ObjectNode unmapped = o.putObject("unmapped");
    unmapped.put("tenant", e.path("tenant").asText());
    unmapped.put("mcp_method", method);
    if (tool.hasNonNull("resource")) {
      unmapped.put("resource", tool.get("resource").asText());
    }
    if (e.hasNonNull("handle")) {
      unmapped.set("handle", e.get("handle"));
    }
    if (e.path("request").hasNonNull("nonce")) {
      unmapped.put("nonce", e.path("request").path("nonce").asText());
    }
    if (e.path("actor").hasNonNull("on_behalf_of")) {
      unmapped.put("on_behalf_of", e.path("actor").path("on_behalf_of").asText());
    }
    if (e.path("request").hasNonNull("trace_id")) {
      unmapped.put("trace_id", e.path("request").path("trace_id").asText());
    }
    return o;
  }
}
