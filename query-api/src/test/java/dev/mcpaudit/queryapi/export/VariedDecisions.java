package dev.mcpaudit.queryapi.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.Rfc3339;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Contract-valid decisions that go through every shape the OCSF mapping distinguishes: every known
 * reason code and a custom one, read and non-read MCP methods, every actor type, a source named by
 * gateway (with or without worker) or authenticated publisher only, with and without a handle,
 * request, policy, receive time and attributes, and times written with offsets. Built on the
 * testkit generator, so the same index gives the same events.
 */
final class VariedDecisions {
  static final List<String> ALLOW_CODES = List.of("ALLOWED", "ALLOWED_BREAK_GLASS");
  static final List<String> DENY_CODES =
      List.of(
          "HANDLE_MISSING",
          "HANDLE_UNKNOWN",
          "HANDLE_EXPIRED",
          "HANDLE_REVOKED",
          "HANDLE_SCOPE_MISMATCH",
          "HANDLE_ACTOR_MISMATCH",
          "CREDENTIAL_INVALID",
          "CREDENTIAL_EXPIRED",
          "AUDIENCE_MISMATCH",
          "REPLAY_DETECTED",
          "POLICY_DENY",
          "RATE_LIMITED",
          "POLICY_ERROR");
  static final List<String> CUSTOM_CODES = List.of("GEO_FENCED", "QUOTA_EXHAUSTED_2");
  static final List<String> METHODS =
      List.of(
          "tools/call",
          "resources/read",
          "prompts/get",
          "tools/list",
          "resources/list",
          "prompts/list",
          "resources/templates/list",
          "completion/complete",
          "resources/subscribe");
  static final List<String> ACTOR_TYPES = List.of("agent", "user", "service");
  private static final List<String> OFFSETS = List.of("Z", "+02:00", "-05:30", "+14:00", "-18:00");

  private final SyntheticEvents gen;
  private final EventValidator validator = EventValidator.withSystemClock();
  private int n;

  VariedDecisions(long seed) {
    this.gen = new SyntheticEvents(seed, Instant.parse("2026-11-20T08:00:00Z"));
  }

  /** The next decision as the JSON a gateway would send; always valid against the contract. */
  ObjectNode next() throws Exception {
    int i = n++;
    ObjectNode e = (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(gen.next()));
    List<String> codes = new java.util.ArrayList<>(ALLOW_CODES);
    codes.addAll(DENY_CODES);
    codes.addAll(CUSTOM_CODES);
    String code = codes.get(i % codes.size());
    boolean allow = ALLOW_CODES.contains(code) || (CUSTOM_CODES.contains(code) && i % 2 == 0);
    e.put("decision", allow ? "allow" : "deny").put("reason_code", code);
    if (allow || i % 5 == 0) {
      e.remove("reason");
    } else {
      e.put("reason", "refused: " + code.toLowerCase(java.util.Locale.ROOT) + " #" + i);
    }

    ObjectNode tool = (ObjectNode) e.get("tool");
    String method = METHODS.get((i / 3) % METHODS.size());
    tool.put("method", method);
    if (method.startsWith("resources/") && i % 2 == 1) {
      tool.put("resource", "file:///srv/reports/r-" + i + ".pdf");
      if (i % 4 == 1) {
        tool.remove("name");
      }
    }

    ObjectNode actor = (ObjectNode) e.get("actor");
    actor.put("type", ACTOR_TYPES.get((i / 7) % ACTOR_TYPES.size()));
    if (i % 6 == 0) {
      actor.remove("client_id");
    }
    if (i % 8 == 0) {
      actor.remove("on_behalf_of");
    }

    ObjectNode source = (ObjectNode) e.get("source");
    switch ((i / 11) % 4) {
      case 0 -> source.put("authenticated", "gateway:" + source.path("gateway").asText());
      case 1 -> source.remove(List.of("worker", "region"));
      case 2 -> source.remove("worker");
      default -> {
        source.remove(List.of("gateway", "worker", "region"));
        source.put("authenticated", "publisher-" + (i % 5));
      }
    }

    if (i % 13 == 0) {
      e.remove("handle");
    } else if (e.get("handle") instanceof ObjectNode handle) {
      if (i % 3 == 0) {
        handle.remove(List.of("issued_at", "issuer", "task"));
      }
      if (i % 17 == 0) {
        handle.put("previous_id", "h-previous-" + i);
      }
      if (i % 19 == 0) {
        handle.remove("scopes");
      }
    }
    if (i % 9 == 0) {
      e.remove("request");
    } else if (e.get("request") instanceof ObjectNode request) {
      if (i % 4 == 0) {
        request.remove(List.of("id", "span_id"));
      }
      if (i % 5 == 0) {
        request.put("args_hmac", "hmac-sha256:" + Integer.toHexString(i * 7919));
      }
    }
    if (i % 10 == 0) {
      e.remove("policy");
    } else if (i % 7 == 0) {
      ((ObjectNode) e.get("policy")).remove(List.of("version", "rule"));
    }
    if (i % 12 == 0) {
      e.remove("latency_us");
    }
    if (i % 14 == 0) {
      e.remove("attributes");
    } else if (i % 3 == 1) {
      ((ObjectNode) e.get("attributes"))
          .put("incident", "INC-" + i)
          .put("approver", "bob@example.org");
    }

    Instant occurred = Rfc3339.parse(e.get("occurred_at").asText()).orElseThrow();
    String offset = OFFSETS.get(i % OFFSETS.size());
    if (!offset.equals("Z")) {
      e.put(
          "occurred_at",
          DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(occurred.atOffset(ZoneOffset.of(offset))));
    }
    if (i % 2 == 0) {
      e.put("received_at", Rfc3339.format(occurred.plusMillis(40 + i % 100)));
    }

    byte[] raw = EventCodec.mapper().writeValueAsBytes(e);
    List<?> errors = validator.validate(EventCodec.mapper().readTree(raw), raw.length);
    if (!errors.isEmpty()) {
      throw new IllegalStateException("generated an invalid event " + e + ": " + errors);
    }
    return e;
  }
}
