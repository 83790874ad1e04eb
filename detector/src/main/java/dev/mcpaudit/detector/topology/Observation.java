package dev.mcpaudit.detector.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.Rfc3339;

/**
 * The part of an event the rules look at, small enough to keep thousands per handle in a state
 * store and to pass through repartition topics. {@code at} is occurred_at in epoch millis.
 *
 * <p>{@code watermark} is how far (in occurred_at) the decisions-topic partition this event came
 * from had got when the event was read. Lateness is judged against it, never against the stream
 * time of a repartitioned task: that one follows whichever upstream task ran fastest, and while a
 * backlog is worked off it can run minutes ahead of events that were perfectly on time.
 *
 * <p>{@code claimedAt} is set only on an event dated more than {@code detector.max-future-skew}
 * past the detector's clock or past when Kafka received it: the occurred_at it claimed, while
 * {@code at} is the time it is judged at (see {@link OccurredAtExtractor}).
 */
public record Observation(
    String tenant,
    String eventId,
    EventKind kind,
    long at,
    Decision decision,
    String reasonCode,
    String actor,
    String handle,
    Long expiresAt,
    String toolServer,
    String toolName,
    String nonce,
    String gateway,
    String worker,
    long watermark,
    Long claimedAt,
    int sourcePartition) {

  static Observation of(AuthzEvent e) {
    return new Observation(
        e.tenant(),
        e.eventId(),
        e.kind(),
        e.occurredAt().toEpochMilli(),
        e.decision(),
        e.reasonCode(),
        e.actor().id(),
        e.handle() == null ? null : e.handle().id(),
        e.handle() == null || e.handle().expiresAt() == null
            ? null
            : e.handle().expiresAt().toEpochMilli(),
        e.tool() == null ? null : e.tool().server(),
        e.tool() == null ? null : e.tool().name(),
        e.request() == null ? null : e.request().nonce(),
        e.source() == null ? null : e.source().gateway(),
        e.source() == null ? null : e.source().worker(),
        -1,
        null,
        -1);
  }

  /**
   * The same observation from the parsed event, for an event the validator has passed: binding the
   * whole {@link AuthzEvent} (policy, attributes, request hashes) only to keep these fields cost
   * the detector a tenth of its time. A test holds the two to the same answers.
   */
  static Observation of(JsonNode e) {
    JsonNode handle = e.path("handle");
    JsonNode tool = e.path("tool");
    JsonNode source = e.path("source");
    String expires = text(handle, "expires_at");
    String decision = text(e, "decision");
    return new Observation(
        text(e, "tenant"),
        text(e, "event_id"),
        EventKind.fromWire(text(e, "kind")).orElseThrow(),
        instant(text(e, "occurred_at")),
        decision == null ? null : Decision.fromWire(decision).orElseThrow(),
        text(e, "reason_code"),
        text(e.path("actor"), "id"),
        text(handle, "id"),
        expires == null ? null : instant(expires),
        text(tool, "server"),
        text(tool, "name"),
        text(e.path("request"), "nonce"),
        text(source, "gateway"),
        text(source, "worker"),
        -1,
        null,
        -1);
  }

  private static String text(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    return n == null || n.isNull() ? null : n.asText();
  }

  private static long instant(String rfc3339) {
    return Rfc3339.parse(rfc3339)
        .orElseThrow(() -> new IllegalArgumentException("not RFC 3339: " + rfc3339))
        .toEpochMilli();
  }

  Observation withWatermark(long w) {
    return with(at, Math.max(w, at), claimedAt, sourcePartition);
  }

  /**
   * Timed no later than {@code bound} (the record's timestamp, which the extractor kept within the
   * allowed skew): a future-dated event is judged where its partition had got to.
   */
  Observation atMost(long bound) {
    return at <= bound ? this : with(bound, watermark, at, sourcePartition);
  }

  /** Read from this partition of the decisions topic. */
  Observation fromPartition(int partition) {
    return with(at, watermark, claimedAt, partition);
  }

  private Observation with(long newAt, long newWatermark, Long claimed, int partition) {
    return new Observation(
        tenant,
        eventId,
        kind,
        newAt,
        decision,
        reasonCode,
        actor,
        handle,
        expiresAt,
        toolServer,
        toolName,
        nonce,
        gateway,
        worker,
        newWatermark,
        claimed,
        partition);
  }

  /** Older than the grace period allows, behind the newest event its partition had delivered. */
  boolean lateBy(long graceMs) {
    return at < watermark - graceMs;
  }

  boolean isAllow() {
    return kind == EventKind.DECISION && decision == Decision.ALLOW;
  }

  boolean isDeny() {
    return kind == EventKind.DECISION && decision == Decision.DENY;
  }

  /** The tool as one value: two servers may both have a tool called "search". */
  String toolKey() {
    return toolServer + "/" + toolName;
  }

  /**
   * Null when the publisher did not say which worker decided: then no worker comparison is
   * possible.
   */
  String workerKey() {
    return worker == null ? null : gateway + "/" + worker;
  }

  boolean claimsTheFuture() {
    return claimedAt != null;
  }

  /** Who sent it, as the event says: gateway and worker. */
  String sourceKey() {
    String g = gateway == null ? "unknown-gateway" : gateway;
    return worker == null ? g : g + "/" + worker;
  }

  /** State-store keys carry the tenant: two tenants may well use the same handle or nonce. */
  static String key(String tenant, String id) {
    return tenant + '\u001f' + id;
  }
}
