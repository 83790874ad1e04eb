package dev.mcpaudit.indexer.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/**
 * Compares two versions of one record as content, not bytes: key order and whitespace do not make a
 * conflict. {@code received_at} is not part of the content: a retry through the collector is
 * stamped again.
 */
final class Versions {
  /** Stamped on every delivery, so it differs between a version and its redelivery. */
  static final String RECEIVED_AT = "received_at";

  private Versions() {}

  /** A stored version as JSON: it passed the validator when it was written, so it parses. */
  static JsonNode parse(byte[] stored) {
    try {
      return EventCodec.mapper().readTree(stored);
    } catch (IOException e) {
      throw new UncheckedIOException("a stored event does not parse", e);
    }
  }

  /**
   * JSON pointers of the fields where {@code incoming} differs from the stored version, sorted;
   * empty when identical.
   */
  static List<String> differences(JsonNode stored, JsonNode incoming) {
    TreeSet<String> out = new TreeSet<>();
    diff("", stored, incoming, out, true);
    return new ArrayList<>(out);
  }

  private static void diff(String at, JsonNode a, JsonNode b, TreeSet<String> out, boolean top) {
    if (a.equals(b)) {
      return;
    }
    if (!a.isObject() || !b.isObject()) {
      out.add(at);
      return;
    }
    TreeSet<String> fields = new TreeSet<>();
    a.fieldNames().forEachRemaining(fields::add);
    b.fieldNames().forEachRemaining(fields::add);
    for (Iterator<String> it = fields.iterator(); it.hasNext(); ) {
      String f = it.next();
      if (top && f.equals(RECEIVED_AT)) {
        continue;
      }
      String ptr = at + "/" + f.replace("~", "~0").replace("/", "~1");
      JsonNode x = a.get(f);
      JsonNode y = b.get(f);
      if (x == null || y == null) {
        out.add(ptr);
      } else {
        diff(ptr, x, y, out, false);
      }
    }
  }
}
