package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.export.ExportFormat;
import dev.mcpaudit.queryapi.export.Exporter;
import dev.mcpaudit.queryapi.search.DecisionSearch;
import dev.mcpaudit.queryapi.search.TimeRange;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import org.apache.lucene.search.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET /api/v1/export?format=ndjson|csv|ocsf}: auditors only, streamed oldest first. */
final class ExportEndpoint {
  private final ApiAuth auth;
  private static final Logger log = LoggerFactory.getLogger(ExportEndpoint.class);

  private final Exporter exporter;
  private final DecisionSearch search;
  private final Clock clock;
  private final String version;

  ExportEndpoint(ApiAuth auth, Exporter exporter, DecisionSearch search, Clock clock) {
    this.auth = auth;
    this.exporter = exporter;
    this.search = search;
    this.clock = clock;
    String v = ExportEndpoint.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  void export(Context ctx) {
    Caller caller = auth.require(ctx, Role.AUDITOR, "api.export");
    String name = ctx.queryParam("format");
    ExportFormat format = ExportFormat.named(name, version)
        .orElseThrow(() -> ProblemException.badRequest("format: one of ndjson, csv, ocsf; got '" + name + "'"));
    TimeRange range = TimeRange.parse(ctx.queryParam("from"), ctx.queryParam("to"), clock.instant());
    // Parsed and authorized before the first byte: errors can still be problem+json.
    Query query = search.compose(caller, ctx.queryParam("q"), range, ctx.queryParam("tenant"));
    ctx.contentType(format.contentType());
    ctx.header("Content-Disposition", "attachment; filename=\"mcp-audit-export." + format.fileExtension() + "\"");
    ctx.header("Cache-Control", "no-store");
    try (OutputStream out = new BufferedOutputStream(ctx.outputStream(), 64 * 1024)) {
      long rows = exporter.export(query, format, out);
      log.info("export principal={} format={} rows={}", caller.principal(), name == null ? "ndjson" : name, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
