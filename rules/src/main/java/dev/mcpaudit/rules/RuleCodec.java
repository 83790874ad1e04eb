package dev.mcpaudit.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.IndexSchema;
import dev.mcpaudit.rules.query.SearchSyntax;
import dev.mcpaudit.rules.query.TermPolicy;
import dev.mcpaudit.schema.alert.AgenticRisk;
import dev.mcpaudit.schema.alert.Severity;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.schema.validation.ValidationError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;

/**
 * A rule's JSON (README, "Alert rules") and every check on it, each failure named by its field: the
 * API refuses a rule with them at {@code PUT}, and a detector skips a record of the rules topic
 * that fails them (whoever wrote it). The query is parsed by the search syntax itself, so a rule
 * that cannot be searched cannot be saved.
 */
public final class RuleCodec {
  public static final int MAX_NAME = 200;
  public static final int MAX_GROUP_BY = 3;
  public static final int MAX_THRESHOLD = 10_000;

  /**
   * Longest window: the detector keeps every match of a counting rule this long (plus its grace),
   * whatever the rule's own window, so that a window widened live finds its earlier matches.
   */
  public static final Duration MAX_WINDOW = Duration.ofHours(1);

  public static final Duration MAX_SUPPRESSION = Duration.ofHours(24);
  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
  public static final Duration DEFAULT_SUPPRESSION = Duration.ofMinutes(10);
  public static final int MAX_QUERY = 4096;

  private static final Pattern ID = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");
  private static final Pattern CONTROL = Pattern.compile("[\\u0000-\\u001f\\u007f-\\u009f]");

  /**
   * Fields a rule may group by: single-valued keywords an event carries itself. Provenance is the
   * indexer's knowledge, not the event's, and many-valued fields (scopes, attributes) make no
   * group.
   */
  public static final List<String> GROUPABLE =
      List.of(
          IndexSchema.ACTOR_ID,
          IndexSchema.ACTOR_TYPE,
          IndexSchema.ACTOR_ON_BEHALF_OF,
          IndexSchema.ACTOR_CLIENT_ID,
          IndexSchema.HANDLE_ID,
          IndexSchema.HANDLE_ISSUER,
          IndexSchema.TOOL_SERVER,
          IndexSchema.TOOL_NAME,
          IndexSchema.TOOL_METHOD,
          IndexSchema.TOOL_RESOURCE,
          IndexSchema.SOURCE_GATEWAY,
          IndexSchema.SOURCE_WORKER,
          IndexSchema.SOURCE_REGION,
          IndexSchema.POLICY_ID,
          IndexSchema.POLICY_VERSION,
          IndexSchema.DECISION,
          IndexSchema.REASON_CODE,
          IndexSchema.KIND,
          IndexSchema.REQUEST_NONCE);

  /** Known only where the record is stored: a live rule would never match on them. */
  private static final Set<String> NOT_IN_EVENT =
      Set.of(IndexSchema.PROVENANCE, IndexSchema.PROVENANCE_BY);

  /**
   * What a rule may hold; version, updated_by and updated_at are the API's, ignored in a request.
   */
  private static final Set<String> FIELDS =
      Set.of(
          "id",
          "name",
          "tenant",
          "query",
          "group_by",
          "threshold",
          "window_seconds",
          "severity",
          "suppression_seconds",
          "owasp",
          "enabled",
          "version",
          "updated_by",
          "updated_at",
          "deleted");

  private RuleCodec() {}

  /** What was wrong with a rule, by field (JSON pointer). */
  public static final class Rejected extends IllegalArgumentException {
    private final List<ValidationError> errors;

    public Rejected(List<ValidationError> errors) {
      super(errors.get(0).toString());
      this.errors = List.copyOf(errors);
    }

    public List<ValidationError> errors() {
      return errors;
    }
  }

  /**
   * A rule as an analyst sent it, for id {@code id} (the path's), checked whole.
   *
   * @throws Rejected naming every field at fault
   */
  public static CustomRule fromRequest(String id, JsonNode body, TermPolicy policy) {
    return read(id, body, policy, false);
  }

  /** A record of the rules topic, checked as a request is. */
  public static CustomRule fromTopic(byte[] value, TermPolicy policy) {
    JsonNode tree;
    try {
      tree = EventCodec.mapper().readTree(value);
    } catch (java.io.IOException e) {
      throw new Rejected(List.of(ValidationError.malformed(e)));
    }
    if (tree == null || !tree.isObject()) {
      throw new Rejected(List.of(ValidationError.of("", "type", "a rule is a JSON object")));
    }
    return read(tree.path("id").asText(""), tree, policy, true);
  }

  private static CustomRule read(String id, JsonNode body, TermPolicy policy, boolean stored) {
    List<ValidationError> errors = new ArrayList<>();
    if (body == null || !body.isObject()) {
      throw new Rejected(List.of(ValidationError.of("", "type", "a rule is a JSON object")));
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        errors.add(
            ValidationError.of(
                "/" + f, "unknown", "unknown field; fields: " + String.join(", ", sorted(FIELDS))));
      }
    }
    if (!ID.matcher(id).matches()) {
      errors.add(
          ValidationError.of(
              "/id",
              "pattern",
              "a rule id is 1 to 64 of a-z, 0-9, '-' and '_', starting with a letter or digit"));
    } else if (body.hasNonNull("id") && !id.equals(body.get("id").asText())) {
      errors.add(ValidationError.of("/id", "mismatch", "the body's id differs from the path's"));
    }
    String name = text(body, "name", errors, true, MAX_NAME);
    String tenant = text(body, "tenant", errors, true, 64);
    if (tenant != null && tenant.startsWith("_")) {
      errors.add(
          ValidationError.of(
              "/tenant", "reserved", "tenants starting with '_' are the system's own"));
    }
    String query = text(body, "query", errors, true, MAX_QUERY);
    if (query != null) {
      checkQuery(query, policy, errors);
    }
    List<String> groupBy = strings(body, "group_by", errors);
    if (groupBy.size() > MAX_GROUP_BY) {
      errors.add(
          ValidationError.of(
              "/group_by", "maxItems", "at most " + MAX_GROUP_BY + " fields to group by"));
    }
    if (new HashSet<>(groupBy).size() != groupBy.size()) {
      errors.add(ValidationError.of("/group_by", "uniqueItems", "a field named twice"));
    }
    for (int i = 0; i < groupBy.size(); i++) {
      if (!GROUPABLE.contains(groupBy.get(i))) {
        errors.add(
            ValidationError.of(
                "/group_by/" + i,
                "enum",
                "cannot group by '"
                    + clip(groupBy.get(i))
                    + "'; fields: "
                    + String.join(", ", GROUPABLE)));
      }
    }
    int threshold = integer(body, "threshold", 1, 1, MAX_THRESHOLD, errors);
    int window =
        integer(
            body,
            "window_seconds",
            (int) DEFAULT_WINDOW.toSeconds(),
            1,
            (int) MAX_WINDOW.toSeconds(),
            errors);
    int suppression =
        integer(
            body,
            "suppression_seconds",
            (int) DEFAULT_SUPPRESSION.toSeconds(),
            1,
            (int) MAX_SUPPRESSION.toSeconds(),
            errors);
    Severity severity = Severity.MEDIUM;
    if (body.has("severity")) {
      String s = body.path("severity").asText("");
      severity = null;
      for (Severity v : Severity.values()) {
        if (v.name().toLowerCase(Locale.ROOT).equals(s)) {
          severity = v;
        }
      }
      if (severity == null) {
        errors.add(
            ValidationError.of(
                "/severity", "enum", "severity is one of low, medium, high, critical"));
      }
    }
    List<String> owasp = strings(body, "owasp", errors);
    for (int i = 0; i < owasp.size(); i++) {
      if (AgenticRisk.fromId(owasp.get(i)).isEmpty()) {
        errors.add(
            ValidationError.of(
                "/owasp/" + i,
                "enum",
                "not an OWASP Top 10 for Agentic Applications identifier (ASI01 to ASI10)"));
      }
    }
    if (new HashSet<>(owasp).size() != owasp.size()) {
      errors.add(ValidationError.of("/owasp", "uniqueItems", "an identifier named twice"));
    }
    boolean enabled = bool(body, "enabled", true, errors);
    boolean deleted = stored && bool(body, "deleted", false, errors);
    if (!stored && body.has("deleted")) {
      errors.add(ValidationError.of("/deleted", "readOnly", "delete a rule with DELETE"));
    }
    int version = stored ? integer(body, "version", 0, 0, Integer.MAX_VALUE, errors) : 0;
    String updatedBy = stored ? body.path("updated_by").asText(null) : null;
    Instant updatedAt =
        stored && body.hasNonNull("updated_at")
            ? Rfc3339.parse(body.get("updated_at").asText()).orElse(null)
            : null;
    if (!errors.isEmpty()) {
      throw new Rejected(errors);
    }
    return new CustomRule(
        id,
        name,
        tenant,
        query,
        groupBy,
        threshold,
        Duration.ofSeconds(window),
        severity,
        Duration.ofSeconds(suppression),
        owasp,
        enabled,
        version,
        updatedBy,
        updatedAt,
        deleted);
  }

  /** The rule's query parsed, or the parser's message as a {@code /query} error. */
  private static void checkQuery(String query, TermPolicy policy, List<ValidationError> errors) {
    if (query.isBlank()) {
      errors.add(ValidationError.of("/query", "minLength", "a rule needs a query"));
      return;
    }
    try {
      Set<String> used = fields(SearchSyntax.parse(query, policy));
      used.retainAll(NOT_IN_EVENT);
      if (!used.isEmpty()) {
        errors.add(
            ValidationError.of(
                "/query",
                "field",
                String.join(", ", sorted(used))
                    + " is known where a record is stored, not in the event a rule judges"));
      }
    } catch (SearchSyntax.Invalid e) {
      errors.add(ValidationError.of("/query", "syntax", e.getMessage()));
    }
  }

  /** Every field {@code q} reads, negated clauses included. */
  public static Set<String> fields(Query q) {
    Set<String> used = new HashSet<>();
    q.visit(
        new QueryVisitor() {
          @Override
          public boolean acceptField(String field) {
            used.add(field);
            return true;
          }

          @Override
          public QueryVisitor getSubVisitor(
              org.apache.lucene.search.BooleanClause.Occur occur, Query parent) {
            // Lucene's default skips MUST_NOT clauses; a field read to exclude is still read.
            return this;
          }
        });
    return used;
  }

  /** The parsed query of a rule that passed the checks. */
  public static Query query(CustomRule rule, TermPolicy policy) {
    return SearchSyntax.parse(rule.query(), policy);
  }

  public static ObjectNode toJson(CustomRule r) {
    ObjectNode o = EventCodec.mapper().createObjectNode();
    o.put("id", r.id());
    o.put("name", r.name());
    o.put("tenant", r.tenant());
    o.put("query", r.query());
    ArrayNode g = o.putArray("group_by");
    r.groupBy().forEach(g::add);
    o.put("threshold", r.threshold());
    o.put("window_seconds", r.window().toSeconds());
    o.put("severity", r.severity().name().toLowerCase(Locale.ROOT));
    o.put("suppression_seconds", r.suppression().toSeconds());
    ArrayNode ow = o.putArray("owasp");
    r.owasp().forEach(ow::add);
    o.put("enabled", r.enabled());
    o.put("version", r.version());
    if (r.updatedBy() != null) {
      o.put("updated_by", r.updatedBy());
    }
    if (r.updatedAt() != null) {
      o.put("updated_at", r.updatedAt().toString());
    }
    if (r.deleted()) {
      o.put("deleted", true);
    }
    return o;
  }

  public static byte[] bytes(CustomRule r) {
    try {
      return EventCodec.mapper().writeValueAsBytes(toJson(r));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String text(
      JsonNode body, String field, List<ValidationError> errors, boolean required, int max) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        errors.add(ValidationError.of("/" + field, "required", field + " is required"));
      }
      return null;
    }
    if (!n.isTextual()) {
      errors.add(ValidationError.of("/" + field, "type", field + " is a string"));
      return null;
    }
    String s = n.textValue();
    if (s.isEmpty() || s.length() > max) {
      errors.add(
          ValidationError.of("/" + field, "length", field + " is 1 to " + max + " characters"));
      return null;
    }
    if (CONTROL.matcher(s).find()) {
      errors.add(
          ValidationError.of("/" + field, "pattern", field + " may not hold control characters"));
      return null;
    }
    return s;
  }

  private static List<String> strings(JsonNode body, String field, List<ValidationError> errors) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray() || n.size() > 16) {
      errors.add(
          ValidationError.of("/" + field, "type", field + " is an array of at most 16 strings"));
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      if (!n.get(i).isTextual()) {
        errors.add(ValidationError.of("/" + field + "/" + i, "type", "a string"));
      } else {
        out.add(n.get(i).textValue());
      }
    }
    return out;
  }

  private static int integer(
      JsonNode body, String field, int dflt, int min, int max, List<ValidationError> errors) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
      errors.add(
          ValidationError.of(
              "/" + field, "range", field + " is a whole number from " + min + " to " + max));
      return dflt;
    }
    return n.intValue();
  }

  private static boolean bool(
      JsonNode body, String field, boolean dflt, List<ValidationError> errors) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      errors.add(ValidationError.of("/" + field, "type", field + " is true or false"));
      return dflt;
    }
    return n.booleanValue();
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  private static List<String> sorted(Set<String> s) {
    return new ArrayList<>(new java.util.TreeSet<>(s));
  }
}
