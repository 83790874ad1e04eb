package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * RFC 4180 CSV with fixed columns (documented in the README). Cells that a spreadsheet would run as
 * a formula (starting with = + - @ or a tab) get a leading apostrophe: an audit export must not
 * execute what an attacker put into a tool name.
 */
final class CsvFormat implements ExportFormat {
  /** Column name and the JSON path it comes from. */
  static final List<String[]> COLUMNS =
      List.of(
          new String[] {"event_id", "event_id"},
          new String[] {"kind", "kind"},
          new String[] {"occurred_at", "occurred_at"},
          new String[] {"received_at", "received_at"},
          new String[] {"tenant", "tenant"},
          new String[] {"decision", "decision"},
          new String[] {"reason_code", "reason_code"},
          new String[] {"reason", "reason"},
          new String[] {"handle_id", "handle/id"},
          new String[] {"handle_expires_at", "handle/expires_at"},
          new String[] {"actor_id", "actor/id"},
          new String[] {"actor_type", "actor/type"},
          new String[] {"on_behalf_of", "actor/on_behalf_of"},
          new String[] {"tool_server", "tool/server"},
          new String[] {"tool_method", "tool/method"},
          new String[] {"tool_name", "tool/name"},
          new String[] {"tool_resource", "tool/resource"},
          new String[] {"request_id", "request/id"},
          new String[] {"request_nonce", "request/nonce"},
          new String[] {"trace_id", "request/trace_id"},
          new String[] {"source_gateway", "source/gateway"},
          new String[] {"source_worker", "source/worker"},
          new String[] {"source_authenticated", "source/authenticated"},
          new String[] {"policy_id", "policy/id"},
          new String[] {"policy_version", "policy/version"},
          new String[] {"latency_us", "latency_us"},
          new String[] {"provenance", "_meta/provenance"},
          new String[] {"provenance_by", "_meta/provenance_by"});

  /** The paths compiled once: compiling them per cell was a third of a row's cost. */
  private static final List<JsonPointer> POINTERS =
      COLUMNS.stream().map(c -> JsonPointer.compile("/" + c[1])).toList();

  @Override
  public String contentType() {
    return "text/csv; charset=utf-8";
  }

  @Override
  public String fileExtension() {
    return "csv";
  }

  @Override
  public boolean decisionsOnly() {
    return false;
  }

  @Override
  public void header(OutputStream out) throws IOException {
    StringBuilder b = new StringBuilder();
    for (String[] c : COLUMNS) {
      b.append(b.isEmpty() ? "" : ",").append(c[0]);
    }
    out.write(b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void write(JsonNode event, OutputStream out) throws IOException {
    StringBuilder b = new StringBuilder(256);
    for (int i = 0; i < COLUMNS.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      JsonNode v = event.at(POINTERS.get(i));
      if (!v.isMissingNode() && !v.isNull()) {
        cell(b, v.asText());
      }
    }
    out.write(b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
  }

  static void cell(StringBuilder b, String value) {
    String v = value;
    if (!v.isEmpty() && "=+-@\t".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0
        || v.indexOf('"') >= 0
        || v.indexOf('\n') >= 0
        || v.indexOf('\r') >= 0) {
      b.append('"').append(v.replace("\"", "\"\"")).append('"');
    } else {
      b.append(v);
    }
  }
}
