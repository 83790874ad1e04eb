package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One OCSF API Activity (category 6, class 6003) object per decision, one per line. The mapping
 * is documented in the README; what OCSF has no place for (the handle, the nonce, the tenant)
 * goes under {@code unmapped}.
 */
final class OcsfFormat implements ExportFormat {
  static final String OCSF_VERSION = "1.3.0";
  static final int CATEGORY_UID = 6;
  static final int CLASS_UID = 6003;

  private final String productVersion;

  OcsfFormat(String productVersion) {
    this.productVersion = productVersion;
  }

  @Override
  public String contentType() {
    return "application/x-ndjson";
  }

  @Override
  public String fileExtension() {
    return "ocsf.ndjson";
  }

  @Override
  public boolean decisionsOnly() {
    return true;
  }

  /**
   * Streams the object straight to the response, in the field order the mapping table in the README documents: no tree and
   * no byte array per event (an export writes millions).
   */
  @Override
  public void write(JsonNode e, OutputStream out) throws IOException {
    try (JsonGenerator g = EventCodec.mapper().createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      boolean allow = "allow".equals(e.path("decision").asText());
      String method = e.path("tool").path("method").asText();
      int activity = "resources/read".equals(method) ? 2 : 99;
      g.writeStartObject();
      g.writeNumberField("category_uid", CATEGORY_UID);
      g.writeStringField("category_name", "Application Activity");
      g.writeNumberField("class_uid", CLASS_UID);
      g.writeStringField("class_name", "API Activity");
      g.writeNumberField("activity_id", activity);
      g.writeStringField("activity_name", activity == 2 ? "Read" : "Other");
      g.writeNumberField("type_uid", CLASS_UID * 100 + activity);
      g.writeNumberField("time", Rfc3339.parse(e.path("occurred_at").asText()).orElseThrow().toEpochMilli());
      g.writeNumberField("severity_id", allow ? 1 : 3);
      g.writeStringField("severity", allow ? "Informational" : "Medium");
      g.writeNumberField("status_id", allow ? 1 : 2);
      g.writeStringField("status", allow ? "Success" : "Failure");
      g.writeStringField("status_code", e.path("reason_code").asText());
      optional(g, "status_detail", e, "reason");
      g.writeObjectFieldStart("metadata");
      g.writeStringField("version", OCSF_VERSION);
      g.writeStringField("uid", e.path("event_id").asText());
      g.writeStringField("tenant_uid", e.path("tenant").asText());
      g.writeObjectFieldStart("product");
      g.writeStringField("name", "mcp-audit");
      g.writeStringField("vendor_name", "mcp-audit");
      g.writeStringField("version", productVersion);
      g.writeEndObject();
      g.writeEndObject();

      JsonNode actor = e.path("actor");
      g.writeObjectFieldStart("actor");
      g.writeObjectFieldStart("user");
      g.writeStringField("uid", actor.path("id").asText());
      g.writeStringField("type", actor.path("type").asText());
      g.writeEndObject();
      optional(g, "app_uid", actor, "client_id");
      g.writeArrayFieldStart("authorizations");
      g.writeStartObject();
      g.writeStringField("decision", allow ? "allow" : "deny");
      if (e.hasNonNull("policy")) {
        JsonNode policy = e.path("policy");
        g.writeObjectFieldStart("policy");
        g.writeStringField("uid", policy.path("id").asText());
        optional(g, "version", policy, "version");
        optional(g, "desc", policy, "rule");
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();

      JsonNode tool = e.path("tool");
      JsonNode request = e.path("request");
      g.writeObjectFieldStart("api");
      g.writeStringField("operation", tool.hasNonNull("name") ? tool.get("name").asText() : method);
      g.writeObjectFieldStart("service");
      g.writeStringField("name", tool.path("server").asText());
      g.writeEndObject();
      g.writeObjectFieldStart("request");
      g.writeStringField("uid", request.hasNonNull("id") ? request.path("id").asText() : e.path("event_id").asText());
      g.writeEndObject();
      g.writeEndObject();

      JsonNode source = e.path("source");
      g.writeObjectFieldStart("src_endpoint");
      g.writeStringField("name", source.hasNonNull("gateway") ? source.get("gateway").asText() : "unknown");
      optional(g, "uid", source, "worker");
      g.writeEndObject();

      g.writeObjectFieldStart("unmapped");
      g.writeStringField("tenant", e.path("tenant").asText());
      g.writeStringField("mcp_method", method);
      optional(g, "resource", tool, "resource");
      if (e.hasNonNull("handle")) {
        g.writeFieldName("handle");
        g.writeTree(e.get("handle"));
      }
      optional(g, "nonce", request, "nonce");
      optional(g, "on_behalf_of", actor, "on_behalf_of");
      optional(g, "trace_id", request, "trace_id");
      g.writeEndObject();
      g.writeEndObject();
    }
    out.write('\n');
  }

  /** Writes {@code name} only when the event has {@code field}: OCSF leaves absent attributes out. */
  private static void optional(JsonGenerator g, String name, JsonNode parent, String field) throws IOException {
    if (parent.hasNonNull(field)) {
      g.writeStringField(name, parent.get(field).asText());
    }
  }
}
