package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One event per line, as stored: the bytes the event arrived as, so a line can be checked against
 * what the gateway sent. JSON keeps line breaks only as whitespace (inside strings they are
 * escaped), so an event stored with any is written compact instead.
 */
final class NdjsonFormat implements ExportFormat {
  @Override
  public String contentType() {
    return "application/x-ndjson";
  }

  @Override
  public String fileExtension() {
    return "ndjson";
  }

  @Override
  public boolean decisionsOnly() {
    return false;
  }

  @Override
  public void write(JsonNode event, OutputStream out) throws IOException {
    out.write(EventCodec.mapper().writeValueAsBytes(event));
    out.write('\n');
  }

  /** The record as stored, byte for byte: its provenance is in CSV, OCSF and {@code _meta}. */
  @Override
  public void writeStored(byte[] json, Provenance provenance, OutputStream out) throws IOException {
    for (byte b : json) {
      if (b == '\n' || b == '\r') {
        write(EventCodec.mapper().readTree(json), out);
        return;
      }
    }
    out.write(json);
    out.write('\n');
  }
}
