package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.index.Provenance;
import dev.mcpaudit.queryapi.export.EventFields.Field;
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
  /** One column: its header and the event's value it holds. */
  record Column(String name, Field field) {}

  /** The columns, in order (README, "Export formats"). */
  static final List<Column> COLUMNS =
      List.of(
          new Column("event_id", Field.EVENT_ID),
          new Column("kind", Field.KIND),
          new Column("occurred_at", Field.OCCURRED_AT),
          new Column("received_at", Field.RECEIVED_AT),
          new Column("tenant", Field.TENANT),
          new Column("decision", Field.DECISION),
          new Column("reason_code", Field.REASON_CODE),
          new Column("reason", Field.REASON),
          new Column("handle_id", Field.HANDLE_ID),
          new Column("handle_expires_at", Field.HANDLE_EXPIRES_AT),
          new Column("actor_id", Field.ACTOR_ID),
          new Column("actor_type", Field.ACTOR_TYPE),
          new Column("on_behalf_of", Field.ACTOR_ON_BEHALF_OF),
          new Column("tool_server", Field.TOOL_SERVER),
          new Column("tool_method", Field.TOOL_METHOD),
          new Column("tool_name", Field.TOOL_NAME),
          new Column("tool_resource", Field.TOOL_RESOURCE),
          new Column("request_id", Field.REQUEST_ID),
          new Column("request_nonce", Field.REQUEST_NONCE),
          new Column("trace_id", Field.REQUEST_TRACE_ID),
          new Column("source_gateway", Field.SOURCE_GATEWAY),
          new Column("source_worker", Field.SOURCE_WORKER),
          new Column("source_authenticated", Field.SOURCE_AUTHENTICATED),
          new Column("policy_id", Field.POLICY_ID),
          new Column("policy_version", Field.POLICY_VERSION),
          new Column("latency_us", Field.LATENCY_US),
          new Column("provenance", Field.PROVENANCE),
          new Column("provenance_by", Field.PROVENANCE_BY));

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
    for (Column c : COLUMNS) {
      b.append(b.isEmpty() ? "" : ",").append(c.name());
    }
    out.write(b.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void write(JsonNode event, OutputStream out) throws IOException {
    write(EventFields.of(event), out);
  }

  /** Read straight from the stored bytes: no tree (see {@link EventFields}). */
  @Override
  public void writeStored(byte[] json, Provenance provenance, OutputStream out) throws IOException {
    write(EventFields.stored(json, provenance), out);
  }

  private static void write(EventFields event, OutputStream out) throws IOException {
    StringBuilder b = new StringBuilder(256);
    for (int i = 0; i < COLUMNS.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      String v = event.get(COLUMNS.get(i).field());
      if (v != null) {
        cell(b, v);
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
