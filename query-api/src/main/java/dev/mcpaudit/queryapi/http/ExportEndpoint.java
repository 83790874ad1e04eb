package dev.mcpaudit.queryapi.http;

import dev.mcpaudit.queryapi.auth.Caller;
import dev.mcpaudit.queryapi.auth.Role;
import dev.mcpaudit.queryapi.export.ExportFormat;
import dev.mcpaudit.queryapi.export.ExportGate;
import dev.mcpaudit.queryapi.export.ExportLimits;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.ExportStream;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.runtime.http.LogText;
import dev.mcpaudit.runtime.http.Problem;
import dev.mcpaudit.runtime.http.ProblemException;
import io.javalin.http.Context;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/export?format=ndjson|csv|ocsf}: auditors only, streamed oldest first. Past the
 * limits of running exports it is 429 with {@code Retry-After}; past its time limit, or when
 * reading the index fails once rows have gone out, the connection is cut (a 200 already sent cannot
 * become an error, and a file that simply ended would look complete); a client that goes away stops
 * it.
 */
final class ExportEndpoint {
  private static final Logger log = LoggerFactory.getLogger(ExportEndpoint.class);

  /** Seconds a refused client is told to wait: about what a small export takes. */
  static final String RETRY_AFTER = "5";

  private final ApiAuth auth;
  private final EventStore store;
  private final Clock clock;
  private final String version;
  private final ExportLimits limits;
  private final ExportGate gate;

  ExportEndpoint(ApiAuth auth, EventStore store, Clock clock, ExportLimits limits) {
    this.auth = auth;
    this.store = store;
    this.clock = clock;
    this.limits = limits;
    this.gate = new ExportGate(limits);
    String v = ExportEndpoint.class.getPackage().getImplementationVersion();
    this.version = v == null ? "dev" : v;
  }

  void export(Context ctx) {
    TenantScope scope = auth.require(ctx, Role.AUDITOR, "api.export");
    Caller caller = scope.caller();
    String name = ctx.queryParam("format");
    ExportFormat format =
        ExportFormat.named(name, version)
            .orElseThrow(
                () ->
                    ProblemException.badRequest(
                        "format: one of ndjson, csv, ocsf; got '" + Params.shown(name) + "'"));
    TimeRange range = Params.range(ctx, clock);
    // Parsed and authorized before the first byte: errors can still be problem+json.
    ExportStream events =
        store.export(scope, new EventQuery(ctx.queryParam("q"), range), format.decisionsOnly());
    String what = name == null ? "ndjson" : format.fileExtension();
    streamGated(
        ctx,
        caller,
        format.contentType(),
        "mcp-audit-export." + format.fileExtension(),
        what,
        out -> {
          format.header(out);
          return events.writeTo((json, provenance) -> format.writeStored(json, provenance, out));
        });
  }

  /** What an export writes; returns how many records. */
  interface Body {
    long writeTo(OutputStream out) throws IOException;
  }

  /**
   * Streams {@code body} under the export limits: admitted by the gate (429 past it), cut past the
   * time limit or when it fails once bytes have gone out. Evidence bundles share these limits.
   */
  void streamGated(
      Context ctx, Caller caller, String contentType, String fileName, String what, Body body) {
    ExportGate.Result admitted = gate.enter(caller.principal());
    if (admitted.slot().isEmpty()) {
      String why =
          admitted.refusal() == ExportGate.Refusal.CALLER_BUSY
              ? "this token already runs "
                  + limits.maxPerCaller()
                  + " export(s); wait for one to finish"
              : "the server already runs " + limits.maxConcurrent() + " exports; try again shortly";
      throw new ProblemException(
          Problem.of(429, "Too Many Requests", why), Map.of("Retry-After", RETRY_AFTER));
    }
    try (ExportGate.Slot slot = admitted.slot().get()) {
      stream(ctx, caller, contentType, fileName, what, body);
    }
  }

  private void stream(
      Context ctx, Caller caller, String contentType, String fileName, String what, Body body) {
    ctx.contentType(contentType);
    ctx.header("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
    ctx.header("Cache-Control", "no-store");
    Guarded client =
        new Guarded(ctx.outputStream(), System.nanoTime() + limits.timeout().toNanos());
    OutputStream out = new BufferedOutputStream(client, 64 * 1024);
    String who = LogText.of(caller.principal(), 100);
    long started = System.nanoTime();
    try {
      long rows = body.writeTo(out);
      out.flush();
      log.info(
          "export principal={} format={} rows={} ms={}",
          who,
          what,
          rows,
          (System.nanoTime() - started) / 1_000_000);
    } catch (IOException | RuntimeException e) {
      if (client.writeFailed != null && !client.timedOut) {
        // The client went away: the exporter has already stopped and let go of the reader.
        log.info("export stopped principal={} format={}: the client went away", who, what);
        return;
      }
      if (!ctx.res().isCommitted()) {
        ctx.res().reset(); // nothing has gone out: the edge answers with a problem instead
        if (client.timedOut) {
          throw new ProblemException(
              Problem.of(
                  503,
                  "Service Unavailable",
                  "the export ran longer than "
                      + limits.timeout().toSeconds()
                      + " s; narrow the time range or the query"),
              Map.of("Retry-After", RETRY_AFTER));
        }
        throw e instanceof RuntimeException r
            ? r
            : new java.io.UncheckedIOException((IOException) e);
      }
      log.warn(
          "export cut principal={} format={}: {}",
          who,
          what,
          client.timedOut
              ? "past api.export.timeout " + limits.timeout()
              : LogText.of(e.toString(), 300));
      abort(ctx);
    }
  }

  /**
   * Ends the response without its last chunk, so the client sees a broken transfer, not a short
   * file: the connection is closed under the response (aborting the servlet channel instead leaves
   * Javalin finishing a request Jetty already gave up).
   */
  private static void abort(Context ctx) {
    ServletContextRequest.getServletContextRequest(ctx.req())
        .getConnectionMetaData()
        .getConnection()
        .getEndPoint()
        .close();
  }

  /**
   * The response stream, which remembers whether a write failed and refuses writes past the
   * deadline.
   */
  private static final class Guarded extends OutputStream {
    private final OutputStream out;
    private final long deadline;
    volatile IOException writeFailed;
    volatile boolean timedOut;

    Guarded(OutputStream out, long deadline) {
      this.out = out;
      this.deadline = deadline;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (System.nanoTime() - deadline > 0) {
        timedOut = true;
        throw failed(new IOException("export time limit reached"));
      }
      try {
        out.write(b, off, len);
      } catch (IOException e) {
        throw failed(e);
      }
    }

    @Override
    public void flush() throws IOException {
      try {
        out.flush();
      } catch (IOException e) {
        throw failed(e);
      }
    }

    private IOException failed(IOException e) {
      writeFailed = e;
      return e;
    }
  }
}
