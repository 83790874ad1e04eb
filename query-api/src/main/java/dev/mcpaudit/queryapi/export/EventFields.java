package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.base.ParserBase;
import com.fasterxml.jackson.core.json.UTF8StreamJsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.mcpaudit.index.Provenance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of one event that the CSV and OCSF formats read, taken from its JSON in one streaming
 * pass. Building a tree per event (a map per object, a node per value) and walking it again was
 * most of an OCSF export's formatting time; here each needed value is one slot and everything else
 * is skipped. A string of stored bytes is kept as where it lies, decoded only when a format needs
 * its text and otherwise written on as stored. Values read as a tree's {@code asText()} would: JSON
 * null and absent are both absent, an object or array where text is expected is the empty string.
 * An event holds no key twice (the indexer refuses one that does), so none is looked for here.
 */
final class EventFields {
  /** A value the formats read, by its place in the event. */
  enum Field {
    SCHEMA("schema"),
    EVENT_ID("event_id"),
    KIND("kind"),
    OCCURRED_AT("occurred_at"),
    RECEIVED_AT("received_at"),
    TENANT("tenant"),
    DECISION("decision"),
    REASON_CODE("reason_code"),
    REASON("reason"),
    LATENCY_US("latency_us"),
    HANDLE_ID("handle", "id"),
    HANDLE_TASK("handle", "task"),
    HANDLE_ISSUED_AT("handle", "issued_at"),
    HANDLE_EXPIRES_AT("handle", "expires_at"),
    HANDLE_ISSUER("handle", "issuer"),
    HANDLE_PREVIOUS_ID("handle", "previous_id"),
    ACTOR_ID("actor", "id"),
    ACTOR_TYPE("actor", "type"),
    ACTOR_ON_BEHALF_OF("actor", "on_behalf_of"),
    ACTOR_CLIENT_ID("actor", "client_id"),
    TOOL_SERVER("tool", "server"),
    TOOL_METHOD("tool", "method"),
    TOOL_NAME("tool", "name"),
    TOOL_RESOURCE("tool", "resource"),
    REQUEST_ID("request", "id"),
    REQUEST_NONCE("request", "nonce"),
    REQUEST_TRACE_ID("request", "trace_id"),
    REQUEST_SPAN_ID("request", "span_id"),
    REQUEST_ARGS_HMAC("request", "args_hmac"),
    SOURCE_GATEWAY("source", "gateway"),
    SOURCE_WORKER("source", "worker"),
    SOURCE_AUTHENTICATED("source", "authenticated"),
    SOURCE_REGION("source", "region"),
    POLICY_ID("policy", "id"),
    POLICY_VERSION("policy", "version"),
    POLICY_RULE("policy", "rule"),
    PROVENANCE("_meta", "provenance"),
    PROVENANCE_BY("_meta", "provenance_by");

    /** Where it is, as a JSON pointer without the leading slash ({@code handle/id}). */
    final String path;

    private final String parent;
    private final String name;

    Field(String name) {
      this(null, name);
    }

    Field(String parent, String name) {
      this.parent = parent;
      this.name = name;
      this.path = parent == null ? name : parent + "/" + name;
    }
  }

  private static final Field[] FIELDS = Field.values();

  /** Reads one value in the middle of an event (the rest of the event follows it). */
  private static final ObjectReader VALUE =
      ExportFormat.STORED.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Top-level names to their field, and each object's names to its fields. */
  private static final Map<String, Field> TOP = new HashMap<>();

  private static final Map<String, Map<String, Field>> NESTED = new HashMap<>();

  static {
    for (Field f : FIELDS) {
      if (f.parent == null) {
        TOP.put(f.name, f);
      } else {
        NESTED.computeIfAbsent(f.parent, k -> new HashMap<>()).put(f.name, f);
      }
    }
  }

  /** Each field's text; for a string read in place, decoded when first asked for. */
  private final String[] values = new String[FIELDS.length];

  /**
   * Where each string value lies in {@link #src}, between its quotes, still escaped as JSON; -1
   * when it was not read in place. A format writes it on unchanged ({@link #write}): no decoding
   * and encoding again for a value that is only copied.
   */
  private final int[] rawStart = new int[FIELDS.length];

  private final int[] rawEnd = new int[FIELDS.length];

  /** The stored UTF-8 JSON the values were read from, or null (a tree was read). */
  private byte[] src;

  private boolean policy;
  private JsonNode scopes;
  private final List<String[]> attributes = new ArrayList<>(4);

  private EventFields(byte[] src) {
    this.src = src;
    Arrays.fill(rawStart, -1);
  }

  /**
   * The fields of an event as stored, with how it arrived (null when the index did not record it).
   */
  static EventFields stored(byte[] json, Provenance provenance) throws IOException {
    EventFields f;
    try (JsonParser p = ExportFormat.STORED.createParser(json)) {
      // In place only where offsets are bytes of this very array.
      f = read(p, p instanceof UTF8StreamJsonParser ? json : null);
    }
    if (provenance != null) {
      f.values[Field.PROVENANCE.ordinal()] = provenance.kind();
      f.values[Field.PROVENANCE_BY.ordinal()] = provenance.by();
      f.rawStart[Field.PROVENANCE.ordinal()] = -1;
      f.rawStart[Field.PROVENANCE_BY.ordinal()] = -1;
    }
    return f;
  }

  /** The fields of an event given as a tree ({@code _meta} included as it is there). */
  static EventFields of(JsonNode event) throws IOException {
    try (JsonParser p = event.traverse(ExportFormat.STORED)) {
      return read(p, null);
    }
  }

  private static EventFields read(JsonParser p, byte[] src) throws IOException {
    EventFields f = new EventFields(src);
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IOException("an event is a JSON object");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      Map<String, Field> nested = NESTED.get(name);
      if (nested != null && t == JsonToken.START_OBJECT) {
        f.object(p, name, nested);
      } else if (name.equals("attributes") && t == JsonToken.START_OBJECT) {
        f.attributes(p);
      } else {
        if (name.equals("policy")) {
          f.policy = t != JsonToken.VALUE_NULL;
        }
        Field top = TOP.get(name);
        if (top != null) {
          f.set(top, p, t);
        } else {
          p.skipChildren();
        }
      }
    }
    return f;
  }

  private void object(JsonParser p, String parent, Map<String, Field> fields) throws IOException {
    if (parent.equals("policy")) {
      policy = true;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      Field field = fields.get(name);
      if (field != null) {
        set(field, p, t);
      } else if (parent.equals("handle") && name.equals("scopes")) {
        scopes = t == JsonToken.VALUE_NULL ? null : VALUE.readTree(p);
      } else {
        p.skipChildren();
      }
    }
  }

  private void attributes(JsonParser p) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      String value = text(p, p.nextToken());
      attributes.add(new String[] {name, value == null ? "null" : value});
    }
  }

  /**
   * Records the value at the parser: a string of stored bytes by where it lies (its text only when
   * it holds an escape, which the parser decodes), anything else as its text.
   */
  private void set(Field field, JsonParser p, JsonToken t) throws IOException {
    int i = field.ordinal();
    rawStart[i] = -1;
    values[i] = null;
    if (t == JsonToken.VALUE_STRING && src != null) {
      // The token starts at its opening quote.
      long quote = ((ParserBase) p).getTokenCharacterOffset();
      if (quote >= 0 && quote < src.length - 1 && src[(int) quote] == '"') {
        int start = (int) quote + 1;
        int end = start;
        boolean escaped = false;
        while (end < src.length && src[end] != '"') {
          if (src[end] == '\\') {
            escaped = true;
            end++;
          }
          end++;
        }
        if (end < src.length) {
          rawStart[i] = start;
          rawEnd[i] = end;
          if (escaped) {
            values[i] = p.getText();
          }
          return;
        }
      }
    }
    values[i] = text(p, t);
  }

  /** A value as a tree's asText() reads it; null for JSON null. */
  private static String text(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_NULL -> null;
      case START_OBJECT, START_ARRAY -> {
        p.skipChildren();
        yield "";
      }
      default -> p.getText();
    };
  }

  /** The value, or null when the event does not have it (or has JSON null). */
  String get(Field f) {
    int i = f.ordinal();
    String v = values[i];
    if (v == null && rawStart[i] >= 0) {
      v = new String(src, rawStart[i], rawEnd[i] - rawStart[i], StandardCharsets.UTF_8);
      values[i] = v;
    }
    return v;
  }

  boolean has(Field f) {
    int i = f.ordinal();
    return values[i] != null || rawStart[i] >= 0;
  }

  /** The value, or the empty string when absent (a tree's {@code path(...).asText()}). */
  String text(Field f) {
    String v = get(f);
    return v == null ? "" : v;
  }

  /**
   * Writes the value as a JSON string: a stored string as its stored bytes (already valid JSON
   * string content), anything else from its text; the empty string when absent.
   */
  void write(JsonGenerator g, Field f) throws IOException {
    int i = f.ordinal();
    if (rawStart[i] >= 0) {
      g.writeRawUTF8String(src, rawStart[i], rawEnd[i] - rawStart[i]);
    } else {
      g.writeString(text(f));
    }
  }

  /** Whether the event has a policy (any non-null value). */
  boolean hasPolicy() {
    return policy;
  }

  /** {@code handle.scopes} as stored, or null. */
  JsonNode scopes() {
    return scopes;
  }

  /** {@code attributes} as name and text pairs, in stored order. */
  List<String[]> attributes() {
    return attributes;
  }
}
