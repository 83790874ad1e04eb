package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.io.OutputStream;

/** One event per line, as stored. */
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
}
