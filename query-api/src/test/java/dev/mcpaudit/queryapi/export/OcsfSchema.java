package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The OCSF 1.3.0 API Activity class (6003) compiled from the schema's own files (test resources
 * under {@code ocsf-1.3.0/}, from the ocsf-schema repository at tag 1.3.0), and a checker of events
 * against it, the rules OCSF's validator applies: every key is an attribute of its class or object,
 * every value has the attribute's type (arrays where {@code is_array}), every required attribute is
 * there, every enum id is one of the enum's and its sibling caption matches it (for 99 Other the
 * sibling holds the source's own value, never "Other"), {@code at_least_one} constraints hold,
 * nothing deprecated or from an undeclared profile is used, and {@code type_uid} is {@code
 * class_uid * 100 + activity_id}.
 */
final class OcsfSchema {
  private static final String ROOT = "/ocsf-1.3.0/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SCALARS =
      Set.of("string_t", "integer_t", "long_t", "float_t", "boolean_t", "json_t");

  /** One attribute of a class or object, after the dictionary and every override are merged. */
  record Attr(
      String name,
      String type,
      boolean array,
      String requirement,
      Map<Integer, String> enumCaptions,
      String sibling,
      String profile,
      boolean deprecated,
      int maxLength) {}

  /** A class or object: its attributes and its at_least_one constraint (empty when none). */
  record Shape(String name, Map<String, Attr> attributes, List<String> atLeastOne) {}

  private final JsonNode dictionary;
  private final Map<String, JsonNode> types = new HashMap<>();
  private final Map<String, Shape> objects = new HashMap<>();
  private final Shape apiActivity;
  private final int classUid;
  private final int categoryUid;

  private OcsfSchema() {
    dictionary = read("dictionary.json");
    dictionary
        .path("types")
        .path("attributes")
        .fields()
        .forEachRemaining(t -> types.put(t.getKey(), t.getValue()));
    JsonNode api = read("events/application/api.json");
    JsonNode category = read("categories.json").path("attributes").path("application");
    categoryUid = category.path("uid").asInt();
    classUid = categoryUid * 1000 + api.path("uid").asInt();
    ObjectNode merged = attributes(read("events/base_event.json"));
    mergeInto(merged, attributes(read("events/application/application.json")));
    mergeInto(merged, attributes(api));
    // The compiled class knows one class and one category, named by their captions.
    ((ObjectNode) merged.get("class_uid"))
        .set("enum", enumOf(classUid, api.path("caption").asText()));
    ((ObjectNode) merged.get("category_uid"))
        .set("enum", enumOf(categoryUid, category.path("caption").asText()));
    apiActivity = shape(api.path("caption").asText(), merged, List.of());
  }

  static OcsfSchema load() {
    return new OcsfSchema();
  }

  int classUid() {
    return classUid;
  }

  Shape apiActivity() {
    return apiActivity;
  }

  /** Every way {@code event} breaks the class, as {@code path: problem}; empty when it is valid. */
  List<String> check(JsonNode event) {
    List<String> errors = new ArrayList<>();
    Set<String> profiles = new java.util.HashSet<>();
    event.path("metadata").path("profiles").forEach(p -> profiles.add(p.asText()));
    checkObject(event, apiActivity, "", profiles, errors);
    if (event.path("type_uid").canConvertToLong()
        && event.path("class_uid").isIntegralNumber()
        && event.path("activity_id").isIntegralNumber()) {
      long expected = event.get("class_uid").asLong() * 100 + event.get("activity_id").asLong();
      if (event.get("type_uid").asLong() != expected) {
        errors.add(
            "/type_uid: "
                + event.get("type_uid")
                + " is not class_uid * 100 + activity_id = "
                + expected);
      }
      if (event.hasNonNull("type_name")) {
        String activity =
            apiActivity
                .attributes()
                .get("activity_id")
                .enumCaptions()
                .get(event.get("activity_id").asInt());
        String wanted = apiActivity.name() + ": " + activity;
        if (!wanted.equals(event.get("type_name").asText())) {
          errors.add(
              "/type_name: \""
                  + event.get("type_name").asText()
                  + "\" is not the caption \""
                  + wanted
                  + "\"");
        }
      }
    }
    return errors;
  }

  private void checkObject(
      JsonNode node, Shape shape, String path, Set<String> profiles, List<String> errors) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String at = path + "/" + f.getKey();
      Attr attr = shape.attributes().get(f.getKey());
      if (attr == null) {
        errors.add(at + ": " + shape.name() + " has no attribute '" + f.getKey() + "'");
        continue;
      }
      if (attr.profile() != null && !profiles.contains(attr.profile())) {
        errors.add(
            at
                + ": belongs to profile '"
                + attr.profile()
                + "', which metadata.profiles does not declare");
        continue;
      }
      if (attr.deprecated()) {
        errors.add(at + ": deprecated in OCSF 1.3.0");
      }
      if (attr.array()) {
        if (!f.getValue().isArray()) {
          errors.add(at + ": must be an array of " + attr.type());
          continue;
        }
        for (int i = 0; i < f.getValue().size(); i++) {
          checkValue(f.getValue().get(i), attr, at + "/" + i, profiles, errors);
        }
      } else {
        checkValue(f.getValue(), attr, at, profiles, errors);
      }
      if (attr.enumCaptions() != null && f.getValue().isIntegralNumber()) {
        checkEnum(node, f.getValue().asInt(), attr, shape, at, errors);
      }
    }
    for (Attr a : shape.attributes().values()) {
      if ("required".equals(a.requirement())
          && (a.profile() == null || profiles.contains(a.profile()))
          && !node.has(a.name())) {
        errors.add(path + "/" + a.name() + ": required by " + shape.name() + " but missing");
      }
    }
    if (!shape.atLeastOne().isEmpty() && shape.atLeastOne().stream().noneMatch(node::has)) {
      errors.add(
          (path.isEmpty() ? "/" : path)
              + ": "
              + shape.name()
              + " needs at least one of "
              + shape.atLeastOne());
    }
  }

  private void checkEnum(
      JsonNode node, int id, Attr attr, Shape shape, String at, List<String> errors) {
    String caption = attr.enumCaptions().get(id);
    if (caption == null) {
      errors.add(
          at
              + ": "
              + id
              + " is not one of "
              + attr.name()
              + "'s ids "
              + attr.enumCaptions().keySet());
      return;
    }
    if (attr.sibling() == null || !shape.attributes().containsKey(attr.sibling())) {
      return;
    }
    JsonNode sibling = node.get(attr.sibling());
    String siblingAt = at.substring(0, at.lastIndexOf('/') + 1) + attr.sibling();
    if (id == 99) {
      if (sibling == null || sibling.asText().isBlank() || "Other".equals(sibling.asText())) {
        errors.add(
            siblingAt
                + ": with "
                + attr.name()
                + " 99 (Other) it must hold the source's own value, got "
                + (sibling == null ? "nothing" : sibling));
      }
    } else if (sibling != null && !caption.equals(sibling.asText())) {
      errors.add(
          siblingAt
              + ": \""
              + sibling.asText()
              + "\" is not the caption of "
              + attr.name()
              + " "
              + id
              + " (\""
              + caption
              + "\")");
    }
  }

  private void checkValue(
      JsonNode v, Attr attr, String at, Set<String> profiles, List<String> errors) {
    String type = attr.type();
    String problem =
        switch (type) {
          case "string_t" ->
              !v.isTextual()
                  ? "must be a string"
                  : v.asText().length() > attr.maxLength()
                      ? "longer than " + attr.maxLength() + " characters"
                      : null;
          case "integer_t" ->
              v.isIntegralNumber() && v.canConvertToInt() ? null : "must be an integer (32 bits)";
          case "long_t" ->
              v.isIntegralNumber() && v.canConvertToLong() ? null : "must be a long integer";
          case "float_t" -> v.isNumber() ? null : "must be a number";
          case "boolean_t" -> v.isBoolean() ? null : "must be a boolean";
          case "json_t" -> null;
          case "object" -> v.isObject() ? null : "must be an object";
          default -> v.isObject() ? null : "must be an object (" + type + ")";
        };
    if (problem != null) {
      errors.add(
          at
              + ": "
              + problem
              + ", got "
              + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
      return;
    }
    if (!SCALARS.contains(type) && !"object".equals(type)) {
      checkObject(v, object(type, at), at, profiles, errors);
    }
  }

  /** An object type compiled from its file and the chain it extends. */
  private Shape object(String name, String at) {
    Shape cached = objects.get(name);
    if (cached != null) {
      return cached;
    }
    List<JsonNode> chain = new ArrayList<>();
    for (String n = name; n != null && !"object".equals(n); ) {
      JsonNode file = readOrNull("objects/" + n + ".json");
      if (file == null) {
        throw new IllegalStateException(
            at
                + ": object '"
                + n
                + "' is not among the kept OCSF 1.3.0 files"
                + " (add objects/"
                + n
                + ".json from the same tag to the test resources)");
      }
      chain.add(0, file);
      n = file.path("extends").isTextual() ? file.get("extends").asText() : null;
    }
    ObjectNode merged = JsonNodeFactory.instance.objectNode();
    List<String> atLeastOne = List.of();
    for (JsonNode file : chain) {
      mergeInto(merged, attributes(file));
      JsonNode c = file.path("constraints").path("at_least_one");
      if (c.isArray()) {
        List<String> names = new ArrayList<>();
        c.forEach(x -> names.add(x.asText()));
        atLeastOne = names;
      }
    }
    Shape s = shape(chain.get(chain.size() - 1).path("caption").asText(name), merged, atLeastOne);
    objects.put(name, s);
    return s;
  }

  /** The attributes of a class or object file, its {@code $include}s merged in first. */
  private ObjectNode attributes(JsonNode file) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    JsonNode attrs = file.path("attributes");
    for (JsonNode inc : attrs.path("$include")) {
      JsonNode included = read(inc.asText());
      ObjectNode incAttrs = attributes(included);
      if ("profile".equals(included.path("meta").asText())) {
        String profile = included.path("name").asText();
        incAttrs
            .fields()
            .forEachRemaining(
                a -> {
                  if (!a.getValue().has("profile")) {
                    ((ObjectNode) a.getValue()).put("profile", profile);
                  }
                });
      }
      mergeInto(out, incAttrs);
    }
    ObjectNode own = JsonNodeFactory.instance.objectNode();
    attrs
        .fields()
        .forEachRemaining(
            a -> {
              if (!a.getKey().equals("$include")) {
                own.set(a.getKey(), a.getValue().deepCopy());
              }
            });
    mergeInto(out, own);
    return out;
  }

  /** Later definitions win key by key; enums are united (a class adds ids to the dictionary's). */
  private static void mergeInto(ObjectNode into, ObjectNode more) {
    more.fields()
        .forEachRemaining(
            a -> {
              JsonNode existing = into.get(a.getKey());
              if (existing instanceof ObjectNode base && a.getValue() instanceof ObjectNode over) {
                ObjectNode m = base.deepCopy();
                over.fields()
                    .forEachRemaining(
                        k -> {
                          if (k.getKey().equals("enum")
                              && m.get("enum") instanceof ObjectNode e
                              && k.getValue() instanceof ObjectNode add) {
                            ObjectNode u = e.deepCopy();
                            u.setAll(add);
                            m.set("enum", u);
                          } else {
                            m.set(k.getKey(), k.getValue());
                          }
                        });
                into.set(a.getKey(), m);
              } else {
                into.set(a.getKey(), a.getValue().deepCopy());
              }
            });
  }

  private Shape shape(String caption, ObjectNode attrs, List<String> atLeastOne) {
    Map<String, Attr> out = new LinkedHashMap<>();
    attrs
        .fields()
        .forEachRemaining(
            a -> {
              JsonNode dict = dictionary.path("attributes").path(a.getKey());
              ObjectNode def =
                  dict.isObject()
                      ? ((ObjectNode) dict).deepCopy()
                      : JsonNodeFactory.instance.objectNode();
              ObjectNode wrapper = JsonNodeFactory.instance.objectNode().set("x", def);
              mergeInto(wrapper, JsonNodeFactory.instance.objectNode().set("x", a.getValue()));
              JsonNode d = wrapper.get("x");
              String declared = d.path("type").asText();
              if (declared.isEmpty()) {
                throw new IllegalStateException(
                    caption + "." + a.getKey() + ": no type in the dictionary");
              }
              String base = declared;
              int maxLength = Integer.MAX_VALUE;
              while (types.containsKey(base)) {
                JsonNode t = types.get(base);
                if (t.has("max_len") && maxLength == Integer.MAX_VALUE) {
                  maxLength = t.get("max_len").asInt();
                }
                if (SCALARS.contains(base)) {
                  break;
                }
                base = t.path("type").asText();
              }
              Map<Integer, String> captions = null;
              if (d.path("enum").isObject()) {
                captions = new TreeMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = d.get("enum").fields();
                    it.hasNext(); ) {
                  Map.Entry<String, JsonNode> e = it.next();
                  captions.put(Integer.parseInt(e.getKey()), e.getValue().path("caption").asText());
                }
              }
              String profile = d.path("profile").isTextual() ? d.get("profile").asText() : null;
              out.put(
                  a.getKey(),
                  new Attr(
                      a.getKey(),
                      base,
                      d.path("is_array").asBoolean(false),
                      d.path("requirement").asText("optional"),
                      captions,
                      d.path("sibling").isTextual() ? d.get("sibling").asText() : null,
                      profile,
                      d.has("@deprecated"),
                      maxLength));
            });
    return new Shape(caption, out, atLeastOne);
  }

  private static ObjectNode enumOf(int id, String caption) {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    e.putObject(Integer.toString(id)).put("caption", caption);
    return e;
  }

  private static JsonNode read(String path) {
    JsonNode n = readOrNull(path);
    if (n == null) {
      throw new IllegalStateException("missing OCSF test resource " + ROOT + path);
    }
    return n;
  }

  private static JsonNode readOrNull(String path) {
    try (InputStream in = OcsfSchema.class.getResourceAsStream(ROOT + path)) {
      return in == null ? null : JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
