package dev.mcpaudit.queryapi.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.queryapi.export.EventFields.Field;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one-pass reading of an event gives for every field what a tree of the same JSON gives ({@code
 * at(path)}, absent or null as absent, {@code asText()} otherwise), for varied events and for
 * shapes the contract forbids but a format must still not misread.
 */
class EventFieldsTest {
  @Test
  void everyFieldReadsAsTheTreeReadsIt() throws Exception {
    VariedDecisions gen = new VariedDecisions(3);
    for (int i = 0; i < 2_000; i++) {
      ObjectNode e = gen.next();
      sameAsTree(e, EventFields.stored(EventCodec.mapper().writeValueAsBytes(e), null));
      sameAsTree(e, EventFields.of(e));
    }
  }

  @Test
  void oddShapesReadAsTheTreeReadsThem() throws Exception {
    for (String json :
        List.of(
            "{\"event_id\":\"a\",\"handle\":null,\"actor\":{\"id\":{\"x\":1},\"type\":[1,2]}}",
            "{\"event_id\":\"b\",\"tool\":\"not-an-object\",\"policy\":\"p\",\"latency_us\":12}",
            "{\"event_id\":\"c\",\"extra\":{\"deep\":{\"id\":\"no\"}},\"request\":{\"nonce\":null}}",
            "{\"event_id\":\"d\",\"attributes\":{\"k\":\"v\",\"n\":null,\"o\":{\"x\":1}}}",
            "{\"event_id\":\"e\",\"handle\":{\"id\":\"h\",\"scopes\":[\"a\",\"b\"],\"z\":[{}]}}",
            "{\"event_id\":\"f\",\"policy\":null,\"source\":{\"gateway\":\"g\",\"worker\":7}}")) {
      JsonNode e = EventCodec.mapper().readTree(json);
      sameAsTree(e, EventFields.stored(json.getBytes(), null));
      sameAsTree(e, EventFields.of(e));
    }
  }

  @Test
  void aStoredStringWithEscapesReadsDecodedAndIsWrittenOnAsTheSameString() throws Exception {
    String json =
        "{\"event_id\":\"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\",\"tenant\":\"t\\/x\",\"kind\":\"d\u00e9\"}";
    EventFields f = EventFields.stored(json.getBytes(StandardCharsets.UTF_8), null);
    assertThat(f.get(Field.EVENT_ID)).isEqualTo("a\"b\\c\u00e9\ud83d\ude00");
    assertThat(f.get(Field.TENANT)).isEqualTo("t/x");
    assertThat(f.get(Field.KIND)).isEqualTo("d\u00e9");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = EventCodec.mapper().createGenerator(out)) {
      g.writeStartObject();
      for (Field field : List.of(Field.EVENT_ID, Field.TENANT, Field.KIND, Field.REASON)) {
        g.writeFieldName(field.name());
        f.write(g, field);
      }
      g.writeEndObject();
    }
    JsonNode written = EventCodec.mapper().readTree(out.toByteArray());
    assertThat(written.get("EVENT_ID").asText()).isEqualTo(f.get(Field.EVENT_ID));
    assertThat(written.get("TENANT").asText()).isEqualTo("t/x");
    assertThat(written.get("KIND").asText()).isEqualTo("d\u00e9");
    assertThat(written.get("REASON").asText()).isEmpty();
  }

  @Test
  void provenanceComesFromTheIndexNotFromTheEvent() throws Exception {
    byte[] json = "{\"event_id\":\"a\",\"_meta\":{\"provenance\":\"forged\"}}".getBytes();
    EventFields f = EventFields.stored(json, new Provenance("collector", "key-1"));
    assertThat(f.get(Field.PROVENANCE)).isEqualTo("collector");
    assertThat(f.get(Field.PROVENANCE_BY)).isEqualTo("key-1");
  }

  private static void sameAsTree(JsonNode e, EventFields f) {
    for (Field field : Field.values()) {
      if (field == Field.PROVENANCE || field == Field.PROVENANCE_BY) {
        if (!e.has("_meta")) {
          assertThat(f.get(field)).isNull();
          continue;
        }
      }
      JsonNode v = e.at("/" + field.path);
      assertThat(f.get(field))
          .as(field.path + " of " + e)
          .isEqualTo(v.isMissingNode() || v.isNull() ? null : v.asText());
    }
    assertThat(f.hasPolicy()).as("policy of " + e).isEqualTo(e.hasNonNull("policy"));
    JsonNode handle = e.path("handle");
    assertThat(f.scopes())
        .as("scopes of " + e)
        .isEqualTo(handle.hasNonNull("scopes") ? handle.get("scopes") : null);
    List<String> attributes = new ArrayList<>();
    if (e.path("attributes").isObject()) {
      for (Map.Entry<String, JsonNode> a : e.get("attributes").properties()) {
        attributes.add(a.getKey() + "=" + a.getValue().asText());
      }
    }
    assertThat(f.attributes().stream().map(a -> a[0] + "=" + a[1]).toList())
        .as("attributes of " + e)
        .isEqualTo(attributes);
  }
}
