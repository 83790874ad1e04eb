package dev.mcpaudit.app.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.ValidationError;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the events of one file in constant memory and reports each one's errors with the line it
 * starts on. Two layouts: NDJSON (one event per line; a bad line is reported and reading goes on)
 * and JSON documents (an object, an array of objects, or several of either, pretty-printed or not;
 * a syntax error ends the file, since nothing after it can be trusted to line up).
 */
final class EventFileReader {
  /** Receives every event found; {@code errors} is empty for a valid one. */
  interface Sink {
    void event(int line, List<ValidationError> errors);
  }

  private static final int SNIFF_BYTES = 64 * 1024;

  private final EventCodec codec;
  private final ObjectMapper mapper = EventCodec.mapper();

  EventFileReader(EventCodec codec) {
    this.codec = codec;
  }

  void read(InputStream raw, String name, Sink sink) throws IOException {
    BufferedInputStream in = new BufferedInputStream(raw, SNIFF_BYTES);
    if (isLineDelimited(in, name)) {
      readLines(in, sink);
    } else {
      readDocuments(in, sink);
    }
  }

  /** NDJSON by name, or when the first non-blank line is a complete JSON object by itself. */
  private boolean isLineDelimited(BufferedInputStream in, String name) throws IOException {
    if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) {
      return true;
    }
    in.mark(SNIFF_BYTES);
    byte[] head = in.readNBytes(SNIFF_BYTES);
    in.reset();
    String text = new String(head, StandardCharsets.UTF_8);
    for (String line : text.split("\n", -1)) {
      if (line.isBlank()) {
        continue;
      }
      String t = line.strip();
      if (!t.startsWith("{")) {
        return false;
      }
      try {
        return mapper.readTree(t).isObject();
      } catch (IOException e) {
        return false; // an object spread over lines: a pretty-printed document
      }
    }
    return false;
  }

  private void readLines(InputStream in, Sink sink) throws IOException {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    int lineNo = 0;
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      sink.event(lineNo, codec.check(line.getBytes(StandardCharsets.UTF_8)));
    }
  }

  private void readDocuments(InputStream in, Sink sink) throws IOException {
    try (JsonParser p = mapper.createParser(in)) {
      int line = 1;
      try {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          line = p.currentTokenLocation().getLineNr();
          if (t == JsonToken.START_ARRAY) {
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
              line = p.currentTokenLocation().getLineNr();
              checkTree(p, line, sink);
            }
          } else {
            checkTree(p, line, sink);
          }
        }
      } catch (IOException e) {
        sink.event(line, List.of(ValidationError.malformed(e)));
      }
    }
  }

  private void checkTree(JsonParser p, int line, Sink sink) throws IOException {
    // One value out of a stream of several: what follows it is the next event, not trailing junk.
    JsonNode tree =
        mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(p);
    // Pretty-printing does not count against the size limit; the compact form is what is sent.
    int size = tree.isObject() ? mapper.writeValueAsBytes(tree).length : -1;
    sink.event(line, codec.check(tree, size));
  }
}
