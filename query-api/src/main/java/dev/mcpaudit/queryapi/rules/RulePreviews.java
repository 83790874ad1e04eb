package dev.mcpaudit.queryapi.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.queryapi.store.EventQuery;
import dev.mcpaudit.queryapi.store.EventStore;
import dev.mcpaudit.queryapi.store.ExportStream;
import dev.mcpaudit.queryapi.store.QueryTimedOut;
import dev.mcpaudit.queryapi.store.TenantScope;
import dev.mcpaudit.queryapi.store.TimeRange;
import dev.mcpaudit.rules.RulePreview;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Runs a rule over the stored events of a past time range (README, "Alert rules"): the store reads
 * the rule's query oldest first, whatever engine it is, and {@link RulePreview} judges each match
 * as the detector would have. Nothing is written. A preview stops after {@link #MAX_EVENTS} matches
 * (and says so) or past the export time limit (503).
 */
public final class RulePreviews {
  /** Matches judged at most in one preview. */
  public static final long MAX_EVENTS = 2_000_000;

  private final EventStore store;
  private final Duration timeout;

  public RulePreviews(EventStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
  }

  /** What a preview judged: the run, and whether it stopped at {@link #MAX_EVENTS}. */
  public record Run(RulePreview preview, boolean stoppedEarly) {}

  /** Ends the read once enough was judged (no stack trace: it is not an error). */
  private static final class Stop extends IOException {
    Stop() {
      super("enough");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /**
   * @param query the rule's query, in the search syntax
   * @param decisionsOnly leave out handle lifecycle events (the built-in deny burst counts
   *     decisions)
   */
  public Run run(
      TenantScope scope,
      String query,
      TimeRange range,
      boolean decisionsOnly,
      RulePreview preview) {
    ExportStream events = store.export(scope, new EventQuery(query, range), decisionsOnly);
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean[] stopped = {false};
    try {
      events.writeTo(
          (json, provenance) -> {
            if (preview.events() >= MAX_EVENTS) {
              stopped[0] = true;
              throw new Stop();
            }
            if ((preview.events() & 1023) == 0 && System.nanoTime() > deadline) {
              throw new QueryTimedOut(timeout);
            }
            JsonNode event = EventCodec.mapper().readTree(json);
            preview.accept(event);
          });
    } catch (Stop e) {
      // enough
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Run(preview, stopped[0]);
  }
}
