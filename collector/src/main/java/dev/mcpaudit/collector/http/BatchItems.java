package dev.mcpaudit.collector.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpaudit.runtime.http.ProblemException;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a request body into its events, each with its 0-based index in the body's order and the
 * bytes it arrived as (what the dead-letter topic keeps). NDJSON lines are kept as raw bytes and
 * parsed one by one, so a broken line spoils only itself.
 */
final class BatchItems {
  /** One event as received: raw bytes, and the parsed tree when the body was one JSON document. */
  record Item(int index, byte[] raw, JsonNode tree) {}

  private static final ObjectMapper MAPPER = EventCodec.mapper();

  /** A JSON body that does not parse: there are no items to reject one by one. */
  static final class MalformedBody extends RuntimeException {
    MalformedBody(String message) {
      super(message, null, false, false);
    }
  }

  private BatchItems() {}

  static List<Item> split(RequestBody.Format format, byte[] body) {
    List<Item> items = format == RequestBody.Format.NDJSON ? lines(body) : document(body);
    if (items.isEmpty()) {
      throw ProblemException.badRequest("the body holds no events");
    }
    return items;
  }

  private static List<Item> lines(byte[] body) {
    List<Item> items = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        int end = i;
        if (end > start && body[end - 1] == '\r') {
          end--;
        }
        if (!blank(body, start, end)) {
          items.add(new Item(items.size(), Arrays.copyOfRange(body, start, end), null));
        }
        start = i + 1;
      }
    }
    return items;
  }

  private static List<Item> document(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw new MalformedBody("the body is not valid JSON: " + firstLine(e.getMessage())
          + "; for one event per line send application/x-ndjson");
    }
    if (root == null || root.isMissingNode()) {
      return List.of();
    }
    List<Item> items = new ArrayList<>();
    if (root.isArray()) {
      for (JsonNode element : root) {
        items.add(new Item(items.size(), compact(element), element));
      }
    } else {
      items.add(new Item(0, body, root));
    }
    return items;
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
