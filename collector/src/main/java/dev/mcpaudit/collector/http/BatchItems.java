package dev.mcpaudit.collector.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Splits a request body into its events, each with its 0-based index in the body's order and the
 * bytes it arrived as (what the dead-letter topic keeps). NDJSON lines are kept as raw bytes and
 * parsed one by one, so a broken line spoils only itself.
 */
final class BatchItems {
  /** One event as received: raw bytes, and the parsed tree when the body was one JSON document. */
  record Item(int index, byte[] raw, JsonNode tree) {}

  private static final ObjectMapper MAPPER = EventCodec.mapper();

  /** Reads one value of a stream: what follows it is the array's business, checked below. */
  private static final ObjectReader ELEMENT =
      MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** A JSON body that does not parse: there are no items to reject one by one. */
  static final class MalformedBody extends RuntimeException {
    MalformedBody(String message) {
      super(message, null, false, false);
    }
  }

  private BatchItems() {}

  /**
   * The items of a body, at most {@code maxItems}: past that the whole batch is refused with 413
   * before more is held, so no body, however well it compresses, grows the heap with its item
   * count.
   */
  static List<Item> split(RequestBody.Format format, byte[] body, int maxItems) {
    List<Item> items =
        format == RequestBody.Format.NDJSON ? lines(body, maxItems) : document(body, maxItems);
    if (items.isEmpty()) {
      throw ProblemException.badRequest("the body holds no events");
    }
    return items;
  }

  private static List<Item> lines(byte[] body, int maxItems) {
    List<Item> items = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        int end = i;
        if (end > start && body[end - 1] == '\r') {
          end--;
        }
        if (!blank(body, start, end)) {
          if (items.size() == maxItems) {
            throw tooMany(maxItems);
          }
          items.add(new Item(items.size(), Arrays.copyOfRange(body, start, end), null));
        }
        start = i + 1;
      }
    }
    return items;
  }

  /**
   * Streams an array element by element, so counting stops at the cap instead of after building
   * every element.
   */
  private static List<Item> document(byte[] body, int maxItems) {
    List<Item> items = new ArrayList<>();
    try (JsonParser p = MAPPER.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return List.of();
      }
      if (first == JsonToken.START_ARRAY) {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          if (t == null) {
            throw new MalformedBody("the body is not valid JSON: the array is not closed");
          }
          if (items.size() == maxItems) {
            throw tooMany(maxItems);
          }
          JsonNode element = ELEMENT.readTree(p);
          items.add(new Item(items.size(), compact(element), element));
        }
      } else {
        JsonNode root = ELEMENT.readTree(p);
        items.add(new Item(0, body, root));
      }
      if (p.nextToken() != null) {
        throw new MalformedBody(
            "the body is not valid JSON: content after the end of the document"
                + "; for one event per line send application/x-ndjson");
      }
    } catch (IOException e) {
      throw new MalformedBody(
          "the body is not valid JSON: "
              + firstLine(e.getMessage())
              + "; for one event per line send application/x-ndjson");
    }
    return items;
  }

  private static ProblemException tooMany(int maxItems) {
    return new ProblemException(
        Problem.of(
            413,
            "Content Too Large",
            "the body holds more than "
                + maxItems
                + " events; send at most "
                + maxItems
                + " per batch (collector.max-batch-items)"),
        Map.of());
  }

  private static byte[] compact(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize a parsed node", e);
    }
  }

  private static boolean blank(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
