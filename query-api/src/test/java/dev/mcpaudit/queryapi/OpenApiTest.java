package dev.mcpaudit.queryapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.mcpaudit.queryapi.audit.AuditTrail;
import dev.mcpaudit.queryapi.auth.Authenticator;
import dev.mcpaudit.queryapi.auth.StaticTokens;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.http.ApiRoutes;
import dev.mcpaudit.queryapi.search.QueryLimits;
import dev.mcpaudit.queryapi.store.lucene.LuceneEventStore;
import dev.mcpaudit.queryapi.store.lucene.StoreThreads;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description in schemas/ and the API are the same: the same routes, and each JSON
 * answer has exactly the fields its schema describes, of the described kinds, nullable where the
 * answer may hold nothing and required where it always holds something.
 */
class OpenApiTest {
  private static final ObjectMapper MAPPER = ApiRoutes.mapper();
  private static JsonNode doc;
  private static List<ApiRoutes.Route> routes;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = OpenApiTest.class.getResourceAsStream("/schemas/openapi.v1.json")) {
      doc = EventCodec.mapper().readTree(in);
    }
    try (ByteBuffersDirectory dir = new ByteBuffersDirectory();
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig());
        StoreThreads threads = StoreThreads.start(1)) {
      w.commit();
      SearcherManager searchers = new SearcherManager(DirectoryReader.open(dir), null);
      QueryLimits limits = QueryLimits.defaults(Duration.ofSeconds(1));
      routes =
          ApiRoutes.assemble(
                  LuceneEventStore.direct(searchers, searchers, limits, threads),
                  Authenticator.staticOnly(StaticTokens.of(Map.of())),
                  AuditTrail.NONE,
                  limits,
                  ExportLimits.defaults(),
                  Clock.systemUTC())
              .routes();
    }
  }

  @Test
  void everyRouteIsDescribedAndEveryDescribedRouteExists() {
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    Set<String> described = new HashSet<>();
    doc.get("paths")
        .properties()
        .forEach(
            p ->
                p.getValue()
                    .fieldNames()
                    .forEachRemaining(m -> described.add(m + " " + p.getKey())));
    Set<String> served = new HashSet<>();
    routes.forEach(r -> served.add(r.method() + " " + r.path()));
    assertThat(served).isNotEmpty().isEqualTo(described);
    doc.get("paths")
        .forEach(
            p ->
                p.forEach(
                    op -> {
                      assertThat(op.get("summary").asText()).isNotBlank();
                      assertThat(op.get("responses").has("401")).isTrue();
                      assertThat(op.get("security")).isNotEmpty();
                    }));
  }

  @Test
  void everyJsonAnswerHasTheShapeItsSchemaDescribes() {
    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (ApiRoutes.Route r : routes) {
      if (r.answer() == Void.class || r.answer() == JsonNode.class) {
        continue; // a file, or an event as stored (the event schema's own tests hold it)
      }
      JsonNode schema =
          doc.at(
              "/paths/"
                  + r.path().replace("~", "~0").replace("/", "~1")
                  + "/"
                  + r.method()
                  + "/responses/200/content/application~1json/schema");
      assertThat(schema.isMissingNode()).as(r.path() + " has a JSON answer described").isFalse();
      check(schema, MAPPER.constructType(r.answer()), r.path(), mismatches);
      checked++;
    }
    assertThat(checked).isEqualTo(18);
    assertThat(mismatches).isEmpty();
  }

  @Test
  void theShapeCheckSeesAMissingFieldAndAWrongKind() {
    record Answer(long total, Optional<Instant> seen) {}
    JsonNode schema =
        json(
            "{\"type\":\"object\",\"required\":[\"total\",\"seen\"],\"properties\":{"
                + "\"total\":{\"type\":\"string\"},\"seen\":{\"type\":\"string\"}}}");
    List<String> mismatches = new ArrayList<>();
    check(schema, MAPPER.constructType(Answer.class), "t", mismatches);
    assertThat(mismatches)
        .containsExactlyInAnyOrder(
            "t.total: answered as integer, described as \"string\"",
            "t.seen: may be null, described as never null");
    JsonNode fewer =
        json("{\"type\":\"object\",\"properties\":{\"total\":{\"type\":\"integer\"}}}");
    mismatches.clear();
    check(fewer, MAPPER.constructType(Answer.class), "t", mismatches);
    assertThat(mismatches).containsExactly("t: answered fields [seen, total], described [total]");
  }

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The schema with its local {@code $ref} followed; an external reference stays as it is. */
  private static JsonNode resolve(JsonNode schema) {
    JsonNode ref = schema.get("$ref");
    if (ref != null && ref.asText().startsWith("#/")) {
      return resolve(doc.at(ref.asText().substring(1)));
    }
    return schema;
  }

  /** The non-null alternative of a {@code oneOf: [X, {type: null}]}, else the schema itself. */
  private static JsonNode nonNull(JsonNode schema) {
    JsonNode oneOf = schema.get("oneOf");
    if (oneOf != null) {
      for (JsonNode alt : oneOf) {
        if (!"null".equals(alt.path("type").asText())) {
          return resolve(alt);
        }
      }
    }
    return schema;
  }

  private static boolean allowsNull(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isArray()) {
      for (JsonNode t : type) {
        if (t.asText().equals("null")) {
          return true;
        }
      }
    }
    JsonNode oneOf = schema.get("oneOf");
    if (oneOf != null) {
      for (JsonNode alt : oneOf) {
        if ("null".equals(alt.path("type").asText())) {
          return true;
        }
      }
    }
    return false;
  }

  private static void check(JsonNode schema, JavaType type, String at, List<String> out) {
    schema = nonNull(resolve(schema));
    if (schema.has("$ref")) {
      return; // another document's schema (the alert contract), checked by its own tests
    }
    Class<?> raw = type.getRawClass();
    if (JsonNode.class.isAssignableFrom(raw)) {
      return;
    }
    if (type.isCollectionLikeType() || type.isArrayType()) {
      kind(schema, "array", at, out);
      if (schema.has("items")) {
        check(schema.get("items"), type.getContentType(), at + "[]", out);
      }
      return;
    }
    if (type.isMapLikeType()) {
      kind(schema, "object", at, out);
      if (schema.path("additionalProperties").isObject()) {
        check(schema.get("additionalProperties"), type.getContentType(), at + "{}", out);
      }
      return;
    }
    if (raw == String.class || raw == Instant.class) {
      kind(schema, "string", at, out);
      return;
    }
    if (raw == long.class || raw == int.class || raw == Long.class || raw == Integer.class) {
      kind(schema, "integer", at, out);
      return;
    }
    if (raw == double.class || raw == Double.class) {
      kind(schema, "number", at, out);
      return;
    }
    if (raw == boolean.class || raw == Boolean.class) {
      kind(schema, "boolean", at, out);
      return;
    }
    // An object: the same field names, each of its described kind.
    JsonNode props = schema.path("properties");
    Set<String> required = new TreeSet<>();
    schema.path("required").forEach(n -> required.add(n.asText()));
    Set<String> answered = new TreeSet<>();
    for (BeanPropertyDefinition p :
        MAPPER.getSerializationConfig().introspect(type).findProperties()) {
      if (!p.couldSerialize()) {
        continue;
      }
      String name = p.getName();
      answered.add(name);
      JavaType pt = p.getPrimaryType();
      boolean optional = pt.isReferenceType();
      boolean mayBeLeftOut =
          optional
              && p.findInclusion() != null
              && p.findInclusion().getValueInclusion() == JsonInclude.Include.NON_ABSENT;
      JsonNode ps = props.get(name);
      if (ps == null) {
        continue; // reported below as a field set mismatch
      }
      if (mayBeLeftOut && required.contains(name)) {
        out.add(at + "." + name + ": may be left out, described as required");
      }
      if (!mayBeLeftOut && !required.isEmpty() && !required.contains(name)) {
        out.add(at + "." + name + ": always answered, described as optional");
      }
      if (optional && !mayBeLeftOut && !allowsNull(resolve(ps))) {
        out.add(at + "." + name + ": may be null, described as never null");
      }
      check(ps, optional ? pt.getReferencedType() : pt, at + "." + name, out);
    }
    Set<String> described = new TreeSet<>();
    props.fieldNames().forEachRemaining(described::add);
    if (!described.equals(answered)) {
      out.add(at + ": answered fields " + answered + ", described " + described);
    }
  }

  private static void kind(JsonNode schema, String expected, String at, List<String> out) {
    JsonNode type = schema.get("type");
    if (type == null) {
      return; // an enum or a free value
    }
    Set<String> kinds = new TreeSet<>();
    if (type.isArray()) {
      type.forEach(t -> kinds.add(t.asText()));
    } else {
      kinds.add(type.asText());
    }
    if (!kinds.contains(expected)) {
      out.add(at + ": answered as " + expected + ", described as " + type);
    }
  }
}
