package dev.mcpaudit.queryapi.store.cluster;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.AlertFields;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.opensearch.DecisionMapping;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A search answer read in one pass: its hits, each with the stored record's exact bytes (cut out of
 * the answer where the cluster copied the document's source through unchanged, never parsed and
 * written again, so an export carries the record as stored) and the document's other top-level
 * values; everything else (totals, aggregations, sort values) as a JSON tree.
 */
final class SearchAnswer {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One hit.
   *
   * @param record the stored event or alert, as stored
   * @param fields the document's other values ({@code provenance.kind}, {@code ingested_at}, …) as
   *     text, by their dotted names
   * @param sort the hit's sort values (for {@code search_after})
   */
  record Hit(byte[] record, Map<String, String> fields, JsonNode sort) {
    /** How the event arrived, or null for an event indexed before that was recorded. */
    Provenance provenance() {
      String kind = fields.get("provenance.kind");
      return kind == null ? null : new Provenance(kind, fields.get("provenance.by"));
    }

    long number(String field, long otherwise) {
      String v = fields.get(field);
      return v == null ? otherwise : Long.parseLong(v);
    }

    JsonNode json() {
      try {
        return EventCodec.mapper().readTree(record);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final ObjectNode meta;
  private final List<Hit> hits;

  private SearchAnswer(ObjectNode meta, List<Hit> hits) {
    this.meta = meta;
    this.hits = hits;
  }

  /** The answer's tree without its hits (totals, aggregations, {@code timed_out}, shards). */
  ObjectNode meta() {
    return meta;
  }

  List<Hit> hits() {
    return hits;
  }

  long total() {
    return meta.path("hits").path("total").path("value").asLong();
  }

  JsonNode aggregations() {
    return meta.path("aggregations");
  }

  /**
   * @param body the answer, as the cluster sent it
   */
  static SearchAnswer read(byte[] body) {
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      ObjectNode meta = JSON.createObjectNode();
      List<Hit> hits = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("hits") && p.currentToken() == JsonToken.START_OBJECT) {
          meta.set("hits", hitsObject(p, body, hits));
        } else {
          meta.set(name, p.readValueAsTree());
        }
      }
      return new SearchAnswer(meta, hits);
    } catch (IOException e) {
      throw new UncheckedIOException("the cluster answered something that is not a search", e);
    }
  }

  private static ObjectNode hitsObject(JsonParser p, byte[] body, List<Hit> hits)
      throws IOException {
    ObjectNode o = JSON.createObjectNode();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (name.equals("hits") && p.currentToken() == JsonToken.START_ARRAY) {
        while (p.nextToken() == JsonToken.START_OBJECT) {
          hits.add(hit(p, body));
        }
      } else {
        o.set(name, p.readValueAsTree());
      }
    }
    return o;
  }

  private static Hit hit(JsonParser p, byte[] body) throws IOException {
    byte[] record = null;
    Map<String, String> fields = new HashMap<>();
    JsonNode sort = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "_source" -> record = source(p, body, fields);
        case "sort" -> sort = p.readValueAsTree();
        default -> p.skipChildren();
      }
    }
    if (record == null) {
      throw new IOException("a hit without its stored record");
    }
    return new Hit(record, fields, sort);
  }

  /** Reads a document's source; returns the stored record's bytes. */
  private static byte[] source(JsonParser p, byte[] body, Map<String, String> fields)
      throws IOException {
    byte[] record = null;
    flatten(p, "", fields);
    // flatten() leaves the record under its own key.
    for (String key : List.of(DecisionMapping.EVENT, DecisionMapping.ALERT)) {
      String at = fields.remove("\u0000" + key);
      if (at != null) {
        int colon = at.indexOf(':');
        int from = Integer.parseInt(at.substring(0, colon));
        int to = Integer.parseInt(at.substring(colon + 1));
        record = Arrays.copyOfRange(body, from, to);
      }
    }
    String track = fields.remove("\u0000" + AlertFields.TRACK);
    if (track != null) {
      int colon = track.indexOf(':');
      fields.put(
          AlertFields.TRACK,
          new String(
              body,
              Integer.parseInt(track.substring(0, colon)),
              Integer.parseInt(track.substring(colon + 1))
                  - Integer.parseInt(track.substring(0, colon)),
              java.nio.charset.StandardCharsets.UTF_8));
    }
    return record;
  }

  /**
   * The values of an object by dotted name (nested objects and dotted keys alike); the stored
   * record is noted by its byte range, under a key no field can have.
   */
  private static void flatten(JsonParser p, String prefix, Map<String, String> fields)
      throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = prefix + p.currentName();
      JsonToken t = p.nextToken();
      if (prefix.isEmpty()
          && (name.equals(DecisionMapping.EVENT)
              || name.equals(DecisionMapping.ALERT)
              || name.equals(AlertFields.TRACK))
          && t == JsonToken.START_OBJECT) {
        long from = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long to = p.currentTokenLocation().getByteOffset() + 1;
        fields.put("\u0000" + name, from + ":" + to);
      } else if (t == JsonToken.START_OBJECT) {
        flatten(p, name + ".", fields);
      } else if (t == JsonToken.START_ARRAY) {
        p.skipChildren(); // multi-valued search fields: the record holds them
      } else if (t != JsonToken.VALUE_NULL) {
        fields.put(name, p.getText());
      }
    }
  }
}
