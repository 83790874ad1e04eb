package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.queryapi.export.EventFields.Field;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import java.io.IOException;
import java.io.OutputStream;
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

  @Override
  public void write(JsonNode e, OutputStream out) throws IOException {
    write(EventFields.of(e), out);
  }

  /** Read straight from the stored bytes: no tree (see {@link EventFields}). */
  @Override
  public void writeStored(byte[] json, Provenance provenance, OutputStream out) throws IOException {
    write(EventFields.stored(json, provenance), out);
  }

  /**
   * Streams the object straight to the response, in the order of the README's mapping table: no
   * tree and no byte array per event (an export writes millions).
   */
  private void write(EventFields e, OutputStream out) throws IOException {
    JsonGenerator g = generatorFor(out);
    boolean allow = "allow".equals(e.text(Field.DECISION));
    String reasonCode = e.text(Field.REASON_CODE);
    String method = e.text(Field.TOOL_METHOD);
    int activity = isRead(method) ? ACTIVITY_READ : ACTIVITY_OTHER;
    String occurredAt = e.text(Field.OCCURRED_AT);
    g.writeStartObject();
    number(g, Name.CATEGORY_UID, CATEGORY_UID);
    text(g, Name.CATEGORY_NAME, "Application Activity");
    number(g, Name.CLASS_UID, CLASS_UID);
    text(g, Name.CLASS_NAME, "API Activity");
    number(g, Name.ACTIVITY_ID, activity);
    // For 99 OCSF wants the source's own activity name, not "Other".
    text(g, Name.ACTIVITY_NAME, activity == ACTIVITY_READ ? "Read" : method);
    number(g, Name.TYPE_UID, CLASS_UID * 100L + activity);
    number(g, Name.TIME, Rfc3339.parse(occurredAt).orElseThrow().toEpochMilli());
    Integer offset = offsetMinutes(occurredAt);
    if (offset != null) {
      number(g, Name.TIMEZONE_OFFSET, offset);
    }
    int severity = HIGH_SEVERITY.contains(reasonCode) ? 4 : allow ? 1 : 3;
    number(g, Name.SEVERITY_ID, severity);
    text(g, Name.SEVERITY, severity == 4 ? "High" : severity == 1 ? "Informational" : "Medium");
    number(g, Name.STATUS_ID, allow ? 1 : 2);
    text(g, Name.STATUS, allow ? "Success" : "Failure");
    text(g, Name.STATUS_CODE, reasonCode);
    optional(g, Name.STATUS_DETAIL, e, Field.REASON);
    text(g, Name.MESSAGE, message(e, allow, method, reasonCode));
    metadata(g, e, occurredAt);
    actor(g, e, allow, reasonCode);
    api(g, e, method);
    if (e.has(Field.TOOL_RESOURCE)) {
      array(g, Name.RESOURCES);
      g.writeStartObject();
      value(g, Name.UID, e, Field.TOOL_RESOURCE);
      g.writeEndObject();
      g.writeEndArray();
    }
    object(g, Name.DST_ENDPOINT);
    value(g, Name.SVC_NAME, e, Field.TOOL_SERVER);
    g.writeEndObject();
    srcEndpoint(g, e);
    unmapped(g, e, method);
    g.writeEndObject();
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
              .disable(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM)
              // Each object is a line of its own: no space before the next one.
              .setRootValueSeparator(null);
      boundTo = out;
    }
    return generator;
  }

  private void metadata(JsonGenerator g, EventFields e, String occurredAt) throws IOException {
    object(g, Name.METADATA);
    text(g, Name.VERSION, OCSF_VERSION);
    value(g, Name.UID, e, Field.EVENT_ID);
    value(g, Name.TENANT_UID, e, Field.TENANT);
    object(g, Name.PRODUCT);
    text(g, Name.NAME, "mcp-audit");
    text(g, Name.VENDOR_NAME, "mcp-audit");
    text(g, Name.VERSION, productVersion);
    g.writeEndObject();
    text(g, Name.ORIGINAL_TIME, occurredAt);
    if (e.has(Field.RECEIVED_AT)) {
      number(
          g,
          Name.LOGGED_TIME,
          Rfc3339.parse(e.get(Field.RECEIVED_AT)).orElseThrow().toEpochMilli());
    }
    text(g, Name.LOG_NAME, LOG_NAME);
    value(g, Name.LOG_VERSION, e, Field.SCHEMA);
    // The publisher the collector authenticated: the one that provided this log entry.
    optional(g, Name.LOG_PROVIDER, e, Field.SOURCE_AUTHENTICATED);
    optional(g, Name.CORRELATION_UID, e, Field.REQUEST_TRACE_ID);
    g.writeEndObject();
  }

  private static void actor(JsonGenerator g, EventFields e, boolean allow, String reasonCode)
      throws IOException {
    object(g, Name.ACTOR);
    object(g, Name.USER);
    value(g, Name.UID, e, Field.ACTOR_ID);
    String type = e.text(Field.ACTOR_TYPE);
    // OCSF knows users; agents and services are Other (99) with the contract's own word.
    boolean human = "user".equals(type);
    number(g, Name.TYPE_ID, human ? 1 : 99);
    text(g, Name.TYPE, human ? "User" : type);
    g.writeEndObject();
    optional(g, Name.APP_UID, e, Field.ACTOR_CLIENT_ID);
    if (e.has(Field.HANDLE_ID)) {
      // The application handle is the session of this stateless protocol: its id, life and issuer.
      object(g, Name.SESSION);
      value(g, Name.UID, e, Field.HANDLE_ID);
      epochMillis(g, Name.CREATED_TIME, e, Field.HANDLE_ISSUED_AT);
      epochMillis(g, Name.EXPIRATION_TIME, e, Field.HANDLE_EXPIRES_AT);
      optional(g, Name.ISSUER, e, Field.HANDLE_ISSUER);
      g.writeEndObject();
    }
    array(g, Name.AUTHORIZATIONS);
    g.writeStartObject();
    text(g, Name.DECISION, allow ? "allow" : "deny");
    if (e.hasPolicy()) {
      object(g, Name.POLICY);
      value(g, Name.UID, e, Field.POLICY_ID);
      optional(g, Name.VERSION, e, Field.POLICY_VERSION);
      optional(g, Name.DESC, e, Field.POLICY_RULE);
      Boolean applied = POLICY_APPLIED.get(reasonCode);
      if (applied != null) {
        bool(g, Name.IS_APPLIED, applied);
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void api(JsonGenerator g, EventFields e, String method) throws IOException {
    object(g, Name.API);
    text(g, Name.OPERATION, e.has(Field.TOOL_NAME) ? e.get(Field.TOOL_NAME) : method);
    object(g, Name.SERVICE);
    value(g, Name.NAME, e, Field.TOOL_SERVER);
    g.writeEndObject();
    if (e.has(Field.REQUEST_ID)) {
      object(g, Name.REQUEST);
      value(g, Name.UID, e, Field.REQUEST_ID);
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /**
   * The gateway, else the worker, else the publisher the collector authenticated; for an event that
   * names no source, what the pipeline knows of its arrival (the stamp's key id, else "unknown"),
   * with its provenance as the service name. API Activity requires a source endpoint.
   */
  private static void srcEndpoint(JsonGenerator g, EventFields e) throws IOException {
    String name =
        e.has(Field.SOURCE_GATEWAY)
            ? e.get(Field.SOURCE_GATEWAY)
            : e.has(Field.SOURCE_WORKER)
                ? e.get(Field.SOURCE_WORKER)
                : e.has(Field.SOURCE_AUTHENTICATED) ? e.get(Field.SOURCE_AUTHENTICATED) : null;
    if (name == null) {
      object(g, Name.SRC_ENDPOINT);
      text(g, Name.NAME, e.has(Field.PROVENANCE_BY) ? e.get(Field.PROVENANCE_BY) : "unknown");
      if (e.has(Field.PROVENANCE)) {
        text(g, Name.SVC_NAME, "mcp-audit " + e.get(Field.PROVENANCE));
      }
      g.writeEndObject();
      return;
    }
    object(g, Name.SRC_ENDPOINT);
    text(g, Name.NAME, name);
    if (e.has(Field.SOURCE_GATEWAY)) {
      optional(g, Name.UID, e, Field.SOURCE_WORKER);
    }
    g.writeEndObject();
  }

  /** What OCSF 1.3.0 has no attribute for, under the contract's own names. */
  private static void unmapped(JsonGenerator g, EventFields e, String method) throws IOException {
    object(g, Name.UNMAPPED);
    text(g, Name.MCP_METHOD, method);
    optional(g, Name.ON_BEHALF_OF, e, Field.ACTOR_ON_BEHALF_OF);
    optional(g, Name.NONCE, e, Field.REQUEST_NONCE);
    optional(g, Name.SPAN_ID, e, Field.REQUEST_SPAN_ID);
    optional(g, Name.ARGS_HMAC, e, Field.REQUEST_ARGS_HMAC);
    optional(g, Name.SOURCE_REGION, e, Field.SOURCE_REGION);
    // How the record reached mcp-audit (docs/provenance.md): OCSF 1.3.0 has no attribute for it.
    optional(g, Name.PROVENANCE, e, Field.PROVENANCE);
    optional(g, Name.PROVENANCE_BY, e, Field.PROVENANCE_BY);
    if (e.has(Field.LATENCY_US)) {
      number(g, Name.LATENCY_US, asLong(e.get(Field.LATENCY_US)));
    }
    if (e.has(Field.HANDLE_TASK) || e.scopes() != null || e.has(Field.HANDLE_PREVIOUS_ID)) {
      object(g, Name.HANDLE);
      optional(g, Name.TASK, e, Field.HANDLE_TASK);
      if (e.scopes() != null) {
        g.writeFieldName(Name.SCOPES);
        g.writeTree(e.scopes());
      }
      optional(g, Name.PREVIOUS_ID, e, Field.HANDLE_PREVIOUS_ID);
      g.writeEndObject();
    }
    if (!e.attributes().isEmpty()) {
      object(g, Name.ATTRIBUTES);
      for (String[] a : e.attributes()) {
        g.writeStringField(a[0], a[1]);
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
  private static String message(EventFields e, boolean allow, String method, String reasonCode) {
    String target = e.has(Field.TOOL_NAME) ? e.get(Field.TOOL_NAME) : e.text(Field.TOOL_RESOURCE);
    return (allow ? "allow " : "deny ")
        + method
        + " "
        + e.text(Field.TOOL_SERVER)
        + "/"
        + target
        + " for "
        + e.text(Field.ACTOR_ID)
        + ": "
        + reasonCode;
  }

  /** A number as a tree's {@code asLong()} reads it: whole part, 0 when it is not a number. */
  private static long asLong(String number) {
    try {
      return Long.parseLong(number);
    } catch (NumberFormatException e) {
      try {
        return (long) Double.parseDouble(number);
      } catch (NumberFormatException notANumber) {
        return 0;
      }
    }
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

  private static void epochMillis(
      JsonGenerator g, SerializableString name, EventFields e, Field field) throws IOException {
    if (e.has(field)) {
      number(g, name, Rfc3339.parse(e.get(field)).orElseThrow().toEpochMilli());
    }
  }

  /**
   * Writes {@code name} only when the event has {@code field}: OCSF leaves absent attributes out.
   */
  private static void optional(JsonGenerator g, SerializableString name, EventFields e, Field field)
      throws IOException {
    if (e.has(field)) {
      value(g, name, e, field);
    }
  }

  /** The event's value of {@code field} as it is stored (the empty string when absent). */
  private static void value(JsonGenerator g, SerializableString name, EventFields e, Field field)
      throws IOException {
    g.writeFieldName(name);
    e.write(g, field);
  }

  private static void text(JsonGenerator g, SerializableString name, String value)
      throws IOException {
    g.writeFieldName(name);
    g.writeString(value);
  }

  private static void number(JsonGenerator g, SerializableString name, long value)
      throws IOException {
    g.writeFieldName(name);
    g.writeNumber(value);
  }

  private static void bool(JsonGenerator g, SerializableString name, boolean value)
      throws IOException {
    g.writeFieldName(name);
    g.writeBoolean(value);
  }

  private static void object(JsonGenerator g, SerializableString name) throws IOException {
    g.writeFieldName(name);
    g.writeStartObject();
  }

  private static void array(JsonGenerator g, SerializableString name) throws IOException {
    g.writeFieldName(name);
    g.writeStartArray();
  }

  /**
   * The names of the mapping, encoded once: writing each name from a String (escaping it char by
   * char) was about a quarter of a line's cost, and an export writes some sixty per line.
   */
  private static final class Name {
    static final SerializedString ACTIVITY_ID = new SerializedString("activity_id");
    static final SerializedString ACTIVITY_NAME = new SerializedString("activity_name");
    static final SerializedString ACTOR = new SerializedString("actor");
    static final SerializedString API = new SerializedString("api");
    static final SerializedString APP_UID = new SerializedString("app_uid");
    static final SerializedString ARGS_HMAC = new SerializedString("args_hmac");
    static final SerializedString ATTRIBUTES = new SerializedString("attributes");
    static final SerializedString AUTHORIZATIONS = new SerializedString("authorizations");
    static final SerializedString CATEGORY_NAME = new SerializedString("category_name");
    static final SerializedString CATEGORY_UID = new SerializedString("category_uid");
    static final SerializedString CLASS_NAME = new SerializedString("class_name");
    static final SerializedString CLASS_UID = new SerializedString("class_uid");
    static final SerializedString CORRELATION_UID = new SerializedString("correlation_uid");
    static final SerializedString CREATED_TIME = new SerializedString("created_time");
    static final SerializedString DECISION = new SerializedString("decision");
    static final SerializedString DESC = new SerializedString("desc");
    static final SerializedString DST_ENDPOINT = new SerializedString("dst_endpoint");
    static final SerializedString EXPIRATION_TIME = new SerializedString("expiration_time");
    static final SerializedString HANDLE = new SerializedString("handle");
    static final SerializedString IS_APPLIED = new SerializedString("is_applied");
    static final SerializedString ISSUER = new SerializedString("issuer");
    static final SerializedString LATENCY_US = new SerializedString("latency_us");
    static final SerializedString LOG_NAME = new SerializedString("log_name");
    static final SerializedString LOGGED_TIME = new SerializedString("logged_time");
    static final SerializedString LOG_PROVIDER = new SerializedString("log_provider");
    static final SerializedString LOG_VERSION = new SerializedString("log_version");
    static final SerializedString MCP_METHOD = new SerializedString("mcp_method");
    static final SerializedString MESSAGE = new SerializedString("message");
    static final SerializedString METADATA = new SerializedString("metadata");
    static final SerializedString NAME = new SerializedString("name");
    static final SerializedString NONCE = new SerializedString("nonce");
    static final SerializedString ON_BEHALF_OF = new SerializedString("on_behalf_of");
    static final SerializedString OPERATION = new SerializedString("operation");
    static final SerializedString ORIGINAL_TIME = new SerializedString("original_time");
    static final SerializedString POLICY = new SerializedString("policy");
    static final SerializedString PREVIOUS_ID = new SerializedString("previous_id");
    static final SerializedString PRODUCT = new SerializedString("product");
    static final SerializedString PROVENANCE = new SerializedString("provenance");
    static final SerializedString PROVENANCE_BY = new SerializedString("provenance_by");
    static final SerializedString REQUEST = new SerializedString("request");
    static final SerializedString RESOURCES = new SerializedString("resources");
    static final SerializedString SCOPES = new SerializedString("scopes");
    static final SerializedString SERVICE = new SerializedString("service");
    static final SerializedString SESSION = new SerializedString("session");
    static final SerializedString SEVERITY = new SerializedString("severity");
    static final SerializedString SEVERITY_ID = new SerializedString("severity_id");
    static final SerializedString SOURCE_REGION = new SerializedString("source_region");
    static final SerializedString SPAN_ID = new SerializedString("span_id");
    static final SerializedString SRC_ENDPOINT = new SerializedString("src_endpoint");
    static final SerializedString STATUS = new SerializedString("status");
    static final SerializedString STATUS_CODE = new SerializedString("status_code");
    static final SerializedString STATUS_DETAIL = new SerializedString("status_detail");
    static final SerializedString STATUS_ID = new SerializedString("status_id");
    static final SerializedString SVC_NAME = new SerializedString("svc_name");
    static final SerializedString TASK = new SerializedString("task");
    static final SerializedString TENANT_UID = new SerializedString("tenant_uid");
    static final SerializedString TIME = new SerializedString("time");
    static final SerializedString TIMEZONE_OFFSET = new SerializedString("timezone_offset");
    static final SerializedString TYPE = new SerializedString("type");
    static final SerializedString TYPE_ID = new SerializedString("type_id");
    static final SerializedString TYPE_UID = new SerializedString("type_uid");
    static final SerializedString UID = new SerializedString("uid");
    static final SerializedString UNMAPPED = new SerializedString("unmapped");
    static final SerializedString USER = new SerializedString("user");
    static final SerializedString VENDOR_NAME = new SerializedString("vendor_name");
    static final SerializedString VERSION = new SerializedString("version");

    private Name() {}
  }
}
