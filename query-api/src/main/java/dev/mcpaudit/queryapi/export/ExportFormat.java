package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Optional;

/**
 * How exported events are written: one line (or row) per event, after an optional header. An
 * instance serves one export at a time (it may keep per-stream state); {@link #named} makes a new
 * one.
 */
public interface ExportFormat {
  String contentType();

  String fileExtension();

  /** Whether lifecycle events are exported too (OCSF API Activity covers decisions only). */
  boolean decisionsOnly();

  default void header(OutputStream out) throws IOException {}

  void write(JsonNode event, OutputStream out) throws IOException;

  /**
   * Stored events were read strictly (duplicate keys refused) when they were indexed; reading them
   * back for an export does not check again: the check was an eighth of a CSV or OCSF export's
   * time. A reader's own {@code without(STRICT_DUPLICATE_DETECTION)} does not reach the parsers of
   * a factory that has it on, so this reader has a factory of its own.
   */
  ObjectReader STORED = storedEventReader();

  private static ObjectReader storedEventReader() {
    ObjectMapper lenient = EventCodec.mapper().copy();
    lenient.getFactory().disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return lenient.reader();
  }

  /**
   * Writes an event given as its stored JSON bytes and how it arrived (null: not recorded); formats
   * that can copy the bytes skip parsing. The provenance reaches {@link #write} as {@code
   * _meta.provenance} and {@code _meta.provenance_by}: it is the pipeline's, not the event's.
   */
  default void writeStored(byte[] json, Provenance provenance, OutputStream out)
      throws IOException {
    JsonNode event = STORED.readTree(json);
    if (provenance != null && event instanceof ObjectNode o) {
      ObjectNode meta = o.putObject("_meta");
      meta.put("provenance", provenance.kind());
      if (provenance.by() != null) {
        meta.put("provenance_by", provenance.by());
      }
    }
    write(event, out);
  }

  static Optional<ExportFormat> named(String name, String productVersion) {
    return switch (name == null ? "ndjson" : name.toLowerCase(Locale.ROOT)) {
      case "ndjson" -> Optional.of(new NdjsonFormat());
      case "csv" -> Optional.of(new CsvFormat());
      case "ocsf" -> Optional.of(new OcsfFormat(productVersion));
      default -> Optional.empty();
    };
  }
}
