package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * One OCSF 1.3.0 API Activity (category 6, class 6003) object per decision, one per line. Every
 * field of the event lands somewhere: in its OCSF home where 1.3.0 has one, else under {@code
 * unmapped}; nothing is invented for a field the event does not have. The mapping table is in the
 * README ("Export formats"); a test checks every line against the 1.3.0 schema files.
 */
final class OcsfFormat implements ExportFormat {
  static final String OCSF_VERSION = "1.3.0";
  static final int CATEGORY_UID = 6;
  static final int CLASS_UID = 6003;
  static final int ACTIVITY_READ = 2;
  static final int ACTIVITY_OTHER = 99;

  /** The log the decisions are kept in (the decisions topic's default name). */
  static final String LOG_NAME = "mcp.authz.decisions";

  /**
   * MCP methods that only read: the Read activity; every other method is Other, named by itself.
   */
  private static final Set<String> READ_METHODS = Set.of("resources/read", "prompts/get");

  /** Reasons that call for a look even among allows and ordinary denies. */
  private static final Set<String> HIGH_SEVERITY = Set.of("REPLAY_DETECTED", "ALLOWED_BREAK_GLASS");

  /**
   * Whether the policy decided ({@code policy.is_applied}): it did for these; the credential,
   * handle, replay and rate-limit checks refuse before it, break glass overrides it and a policy
   * error means it could not be evaluated. Unknown (not written) for custom codes.
   */
  private static final Map<String, Boolean> POLICY_APPLIED =
      Map.ofEntries(
          Map.entry("ALLOWED", true),
          Map.entry("POLICY_DENY", true),
          Map.entry("ALLOWED_BREAK_GLASS", false),
          Map.entry("POLICY_ERROR", false),
          Map.entry("HANDLE_MISSING", false),
          Map.entry("HANDLE_UNKNOWN", false),
          Map.entry("HANDLE_EXPIRED", false),
          Map.entry("HANDLE_REVOKED", false),
          Map.entry("HANDLE_SCOPE_MISMATCH", false),
          Map.entry("HANDLE_ACTOR_MISMATCH", false),
          Map.entry("CREDENTIAL_INVALID", false),
          Map.entry("CREDENTIAL_EXPIRED", false),
          Map.entry("AUDIENCE_MISMATCH", false),
          Map.entry("REPLAY_DETECTED", false),
          Map.entry("RATE_LIMITED", false));

  /** OCSF's range for {@code timezone_offset}, in minutes. */
  private static final int MAX_OFFSET_MINUTES = 1080;

  private final String productVersion;
  private OutputStream boundTo;
  private JsonGenerator generator;

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

  static boolean isRead(String method) {
    return READ_METHODS.contains(method) || method.endsWith("/list");
  }

  /**
   * Streams the object straight to the response, in the order of the README's mapping table: no
   * tree and no byte array per event (an export writes millions).
   */
  @Override
  public void write(JsonNode e, OutputStream out) throws IOException {
    JsonGenerator g = generatorFor(out);
    {
      boolean allow = "allow".equals(e.path("decision").asText());
      String reasonCode = e.path("reason_code").asText();
      JsonNode tool = e.path("tool");
      String method = tool.path("method").asText();
      int activity = isRead(method) ? ACTIVITY_READ : ACTIVITY_OTHER;
      String occurredAt = e.path("occurred_at").asText();
      g.writeStartObject();
      g.writeNumberField("category_uid", CATEGORY_UID);
      g.writeStringField("category_name", "Application Activity");
      g.writeNumberField("class_uid", CLASS_UID);
      g.writeStringField("class_name", "API Activity");
      g.writeNumberField("activity_id", activity);
      // For 99 OCSF wants the source's own activity name, not "Other".
      g.writeStringField("activity_name", activity == ACTIVITY_READ ? "Read" : method);
      g.writeNumberField("type_uid", CLASS_UID * 100L + activity);
      g.writeNumberField("time", Rfc3339.parse(occurredAt).orElseThrow().toEpochMilli());
      Integer offset = offsetMinutes(occurredAt);
      if (offset != null) {
        g.writeNumberField("timezone_offset", offset);
      }
      int severity = HIGH_SEVERITY.contains(reasonCode) ? 4 : allow ? 1 : 3;
      g.writeNumberField("severity_id", severity);
      g.writeStringField(
          "severity", severity == 4 ? "High" : severity == 1 ? "Informational" : "Medium");
      g.writeNumberField("status_id", allow ? 1 : 2);
      g.writeStringField("status", allow ? "Success" : "Failure");
      g.writeStringField("status_code", reasonCode);
      optional(g, "status_detail", e, "reason");
      g.writeStringField("message", message(e, allow, method, reasonCode));
      metadata(g, e, occurredAt);
      actor(g, e, allow, reasonCode);
      api(g, tool, e.path("request"), method);
      if (tool.hasNonNull("resource")) {
        g.writeArrayFieldStart("resources");
        g.writeStartObject();
        g.writeStringField("uid", tool.get("resource").asText());
        g.writeEndObject();
        g.writeEndArray();
      }
      g.writeObjectFieldStart("dst_endpoint");
      g.writeStringField("svc_name", tool.path("server").asText());
      g.writeEndObject();
      srcEndpoint(g, e.path("source"), e.path("_meta"));
      unmapped(g, e, method);
      g.writeEndObject();
    }
    g.writeRaw('\n');
    g.flush(); // into the export's buffered stream only: flushes are not passed on
  }

  /**
   * One generator per output stream for the whole export (an export writes one stream): making one
   * per line showed in the export's profile. Each line is handed on complete, so nothing waits in
   * it.
   */
  private JsonGenerator generatorFor(OutputStream out) throws IOException {
    if (out != boundTo) {
      generator =
          EventCodec.mapper()
              .createGenerator(out)
              .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
              .disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM);
      boundTo = out;
    }
    return generator;
  }

  private void metadata(JsonGenerator g, JsonNode e, String occurredAt) throws IOException {
    g.writeObjectFieldStart("metadata");
    g.writeStringField("version", OCSF_VERSION);
    g.writeStringField("uid", e.path("event_id").asText());
    g.writeStringField("tenant_uid", e.path("tenant").asText());
    g.writeObjectFieldStart("product");
    g.writeStringField("name", "mcp-audit");
    g.writeStringField("vendor_name", "mcp-audit");
    g.writeStringField("version", productVersion);
    g.writeEndObject();
    g.writeStringField("original_time", occurredAt);
    if (e.hasNonNull("received_at")) {
      g.writeNumberField(
          "logged_time", Rfc3339.parse(e.get("received_at").asText()).orElseThrow().toEpochMilli());
    }
    g.writeStringField("log_name", LOG_NAME);
    g.writeStringField("log_version", e.path("schema").asText());
    // The publisher the collector authenticated: the one that provided this log entry.
    optional(g, "log_provider", e.path("source"), "authenticated");
    optional(g, "correlation_uid", e.path("request"), "trace_id");
    g.writeEndObject();
  }

  private static void actor(JsonGenerator g, JsonNode e, boolean allow, String reasonCode)
      throws IOException {
    JsonNode actor = e.path("actor");
    g.writeObjectFieldStart("actor");
    g.writeObjectFieldStart("user");
    g.writeStringField("uid", actor.path("id").asText());
    String type = actor.path("type").asText();
    // OCSF knows users; agents and services are Other (99) with the contract's own word.
    boolean human = "user".equals(type);
    g.writeNumberField("type_id", human ? 1 : 99);
    g.writeStringField("type", human ? "User" : type);
    g.writeEndObject();
    optional(g, "app_uid", actor, "client_id");
    JsonNode handle = e.path("handle");
    if (handle.hasNonNull("id")) {
      // The application handle is the session of this stateless protocol: its id, life and issuer.
      g.writeObjectFieldStart("session");
      g.writeStringField("uid", handle.get("id").asText());
      epochMillis(g, "created_time", handle, "issued_at");
      epochMillis(g, "expiration_time", handle, "expires_at");
      optional(g, "issuer", handle, "issuer");
      g.writeEndObject();
    }
    g.writeArrayFieldStart("authorizations");
    g.writeStartObject();
    g.writeStringField("decision", allow ? "allow" : "deny");
    if (e.hasNonNull("policy")) {
      JsonNode policy = e.path("policy");
      g.writeObjectFieldStart("policy");
      g.writeStringField("uid", policy.path("id").asText());
      optional(g, "version", policy, "version");
      optional(g, "desc", policy, "rule");
      Boolean applied = POLICY_APPLIED.get(reasonCode);
      if (applied != null) {
        g.writeBooleanField("is_applied", applied);
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void api(JsonGenerator g, JsonNode tool, JsonNode request, String method)
      throws IOException {
    g.writeObjectFieldStart("api");
    g.writeStringField("operation", tool.hasNonNull("name") ? tool.get("name").asText() : method);
    g.writeObjectFieldStart("service");
    g.writeStringField("name", tool.path("server").asText());
    g.writeEndObject();
    if (request.hasNonNull("id")) {
      g.writeObjectFieldStart("request");
      g.writeStringField("uid", request.get("id").asText());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /**
   * The gateway, else the worker, else the publisher the collector authenticated; for an event that
   * names no source, what the pipeline knows of its arrival (the stamp's key id, else "unknown"),
   * with its provenance as the service name. API Activity requires a source endpoint.
   */
  private static void srcEndpoint(JsonGenerator g, JsonNode source, JsonNode meta)
      throws IOException {
    String name =
        source.hasNonNull("gateway")
            ? source.get("gateway").asText()
            : source.hasNonNull("worker")
                ? source.get("worker").asText()
                : source.hasNonNull("authenticated") ? source.get("authenticated").asText() : null;
    if (name == null) {
      g.writeObjectFieldStart("src_endpoint");
      g.writeStringField(
          "name",
          meta.hasNonNull("provenance_by") ? meta.get("provenance_by").asText() : "unknown");
      if (meta.hasNonNull("provenance")) {
        g.writeStringField("svc_name", "mcp-audit " + meta.get("provenance").asText());
      }
      g.writeEndObject();
      return;
    }
    g.writeObjectFieldStart("src_endpoint");
    g.writeStringField("name", name);
    if (source.hasNonNull("gateway")) {
      optional(g, "uid", source, "worker");
    }
    g.writeEndObject();
  }

  /** What OCSF 1.3.0 has no attribute for, under the contract's own names. */
  private static void unmapped(JsonGenerator g, JsonNode e, String method) throws IOException {
    JsonNode actor = e.path("actor");
    JsonNode request = e.path("request");
    JsonNode handle = e.path("handle");
    g.writeObjectFieldStart("unmapped");
    g.writeStringField("mcp_method", method);
    optional(g, "on_behalf_of", actor, "on_behalf_of");
    optional(g, "nonce", request, "nonce");
    optional(g, "span_id", request, "span_id");
    optional(g, "args_hmac", request, "args_hmac");
    optional(g, "source_region", e.path("source"), "region");
    // How the record reached mcp-audit (docs/provenance.md): OCSF 1.3.0 has no attribute for it.
    optional(g, "provenance", e.path("_meta"), "provenance");
    optional(g, "provenance_by", e.path("_meta"), "provenance_by");
    if (e.hasNonNull("latency_us")) {
      g.writeNumberField("latency_us", e.get("latency_us").asLong());
    }
    if (handle.hasNonNull("task")
        || handle.hasNonNull("scopes")
        || handle.hasNonNull("previous_id")) {
      g.writeObjectFieldStart("handle");
      optional(g, "task", handle, "task");
      if (handle.hasNonNull("scopes")) {
        g.writeFieldName("scopes");
        g.writeTree(handle.get("scopes"));
      }
      optional(g, "previous_id", handle, "previous_id");
      g.writeEndObject();
    }
    if (e.path("attributes").isObject() && !e.get("attributes").isEmpty()) {
      g.writeObjectFieldStart("attributes");
      for (Iterator<Map.Entry<String, JsonNode>> it = e.get("attributes").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> a = it.next();
        g.writeStringField(a.getKey(), a.getValue().asText());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /**
   * {@code allow tools/call github/create_issue for spiffe://…: ALLOWED}. One line: ids and methods
   * hold no whitespace or control characters (the contract's rules), and the free-text reason is
   * left to {@code status_detail}.
   */
  private static String message(JsonNode e, boolean allow, String method, String reasonCode) {
    JsonNode tool = e.path("tool");
    String target =
        tool.hasNonNull("name") ? tool.get("name").asText() : tool.path("resource").asText();
    return (allow ? "allow " : "deny ")
        + method
        + " "
        + tool.path("server").asText()
        + "/"
        + target
        + " for "
        + e.path("actor").path("id").asText()
        + ": "
        + reasonCode;
  }

  /** Minutes ahead of UTC of an RFC 3339 time as written; null when OCSF's range cannot hold it. */
  static Integer offsetMinutes(String rfc3339) {
    char last = rfc3339.charAt(rfc3339.length() - 1);
    if (last == 'Z' || last == 'z') {
      return 0;
    }
    String zone = rfc3339.substring(rfc3339.length() - 6); // ±hh:mm
    int minutes =
        Integer.parseInt(zone.substring(1, 3)) * 60 + Integer.parseInt(zone.substring(4, 6));
    int signed = zone.charAt(0) == '-' ? -minutes : minutes;
    return Math.abs(signed) > MAX_OFFSET_MINUTES ? null : signed;
  }

  private static void epochMillis(JsonGenerator g, String name, JsonNode parent, String field)
      throws IOException {
    if (parent.hasNonNull(field)) {
      g.writeNumberField(
          name, Rfc3339.parse(parent.get(field).asText()).orElseThrow().toEpochMilli());
    }
  }

  /**
   * Writes {@code name} only when the event has {@code field}: OCSF leaves absent attributes out.
   */
  private static void optional(JsonGenerator g, String name, JsonNode parent, String field)
      throws IOException {
    if (parent.hasNonNull(field)) {
      g.writeStringField(name, parent.get(field).asText());
    }
  }
}
