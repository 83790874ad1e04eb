package dev.mcpaudit.schema.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.ActorType;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.event.ReasonCodes;
import dev.mcpaudit.schema.event.Rfc3339;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks an event against every rule of contract v1 and returns <em>all</em> errors, each with a
 * JSON pointer, so a gateway author fixes a bad event in one round. Hand-written rather than driven
 * by the JSON Schema file: it runs on the ingest path of every event and gives messages that say
 * what is allowed; {@code SchemaAgreementTest} keeps the two in step.
 */
public final class EventValidator {
  public static final int MAX_EVENT_BYTES = 16 * 1024;

  /**
   * Size limit for events read back from the topic: the collector's stamps (received_at,
   * source.authenticated) may push an event that was just under the limit a little over it.
   */
  public static final int MAX_STORED_EVENT_BYTES = MAX_EVENT_BYTES + 1024;

  /**
   * How far {@code occurred_at} may run ahead of the receiver's clock unless configured otherwise
   * ({@code validation.max-future-skew}): enough for clocks kept by NTP and a batch in flight; a
   * gateway clock further ahead is a fault to surface, and a far-future time would sit at the top
   * of every time-windowed view and rule.
   */
  public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofMinutes(5);

  public static final int MAX_ATTRIBUTES = 32;
  public static final int MAX_ATTRIBUTE_KEY = 64;
  public static final int MAX_SCOPES = 64;

  private static final Set<String> TOP =
      Set.of(
          "schema",
          "event_id",
          "kind",
          "occurred_at",
          "received_at",
          "tenant",
          "decision",
          "reason_code",
          "reason",
          "handle",
          "actor",
          "tool",
          "request",
          "source",
          "policy",
          "latency_us",
          "attributes");
  private static final Set<String> HANDLE =
      Set.of("id", "task", "issued_at", "expires_at", "scopes", "issuer", "previous_id");
  private static final Set<String> ACTOR = Set.of("id", "type", "on_behalf_of", "client_id");
  private static final Set<String> TOOL = Set.of("server", "name", "method", "resource");
  private static final Set<String> REQUEST =
      Set.of("id", "nonce", "trace_id", "span_id", "args_hmac");
  private static final Set<String> SOURCE = Set.of("gateway", "worker", "region", "authenticated");
  private static final Set<String> POLICY = Set.of("id", "version", "rule");

  private final Clock clock;
  private final int maxBytes;
  private final Duration maxFutureSkew;

  public EventValidator(Clock clock) {
    this(clock, MAX_EVENT_BYTES, DEFAULT_MAX_FUTURE_SKEW);
  }

  /**
   * @param maxBytes size limit: readers of the topic use {@link #MAX_STORED_EVENT_BYTES}
   * @param maxFutureSkew how far {@code occurred_at} may be ahead of {@code clock}
   */
  public EventValidator(Clock clock, int maxBytes, Duration maxFutureSkew) {
    if (maxFutureSkew.isNegative()) {
      throw new IllegalArgumentException(
          "maxFutureSkew must not be negative, got " + maxFutureSkew);
    }
    this.clock = clock;
    this.maxBytes = maxBytes;
    this.maxFutureSkew = maxFutureSkew;
  }

  public static EventValidator withSystemClock() {
    return new EventValidator(Clock.systemUTC());
  }

  /**
   * Validates one parsed event. {@code serializedSize} is its size in bytes as received (or as
   * compact JSON when it came from a pretty-printed file); pass -1 to skip the size rule.
   */
  public List<ValidationError> validate(JsonNode event, int serializedSize) {
    Walk w = new Walk();
    if (event == null || !event.isObject()) {
      w.add("", "type", "an event must be a JSON object, got " + kindOf(event));
      return w.errors;
    }
    if (serializedSize > maxBytes) {
      w.add(
          "",
          "size",
          "event is " + serializedSize + " bytes; at most " + maxBytes + " bytes are allowed");
    }
    w.unknown(event, "", TOP);

    Optional<String> schema = w.text(event, "", "schema", true, null);
    schema
        .filter(s -> !s.equals(AuthzEvent.SCHEMA_V1))
        .ifPresent(
            s ->
                w.add(
                    "/schema",
                    "const",
                    "must be \"" + AuthzEvent.SCHEMA_V1 + "\", got " + Texts.quote(s)));
    w.text(event, "", "event_id", true, TextRule.EVENT_ID);
    Optional<EventKind> kind =
        w.text(event, "", "kind", true, null)
            .flatMap(
                k -> {
                  Optional<EventKind> parsed = EventKind.fromWire(k);
                  if (parsed.isEmpty()) {
                    w.add(
                        "/kind",
                        "enum",
                        "must be one of " + wires(EventKind.values()) + ", got " + Texts.quote(k));
                  }
                  return parsed;
                });
    Instant now = clock.instant();
    w.timestamp(event, "", "occurred_at", true)
        .filter(t -> t.isAfter(now.plus(maxFutureSkew)))
        .ifPresent(
            t ->
                w.add(
                    "/occurred_at",
                    "future",
                    "is "
                        + Rfc3339.format(t)
                        + ", more than "
                        + Durations.text(maxFutureSkew)
                        + " ahead of the receiver's clock ("
                        + Rfc3339.format(now.truncatedTo(ChronoUnit.SECONDS))
                        + "); the allowed skew is "
                        + Durations.text(maxFutureSkew)
                        + " (validation.max-future-skew): check the gateway's clock"));
    w.timestamp(event, "", "received_at", false);
    w.text(event, "", "tenant", true, TextRule.TENANT);
    w.text(event, "", "reason", false, TextRule.TEXT);
    if (event.has("latency_us")) {
      JsonNode l = event.get("latency_us");
      if (!l.isIntegralNumber() || !l.canConvertToLong() || l.asLong() < 0) {
        w.add("/latency_us", "type", "must be a whole number of microseconds >= 0, got " + l);
      }
    }

    boolean isDecision = kind.map(k -> k == EventKind.DECISION).orElse(false);
    boolean isLifecycle = kind.map(EventKind::isHandleLifecycle).orElse(false);
    Optional<Decision> decision = decision(w, event, isDecision, isLifecycle);
    reasonCode(w, event, isDecision, decision);
    handle(w, event, isLifecycle, kind.orElse(null) == EventKind.HANDLE_ROTATED);
    actor(w, event);
    tool(w, event, isDecision);
    w.object(event, "", "request", false)
        .ifPresent(
            r -> {
              w.unknown(r, "/request", REQUEST);
              for (String f : List.of("id", "nonce", "trace_id", "span_id", "args_hmac")) {
                w.text(r, "/request", f, false, TextRule.ID);
              }
            });
    source(w, event);
    w.object(event, "", "policy", false)
        .ifPresent(
            p -> {
              w.unknown(p, "/policy", POLICY);
              w.text(p, "/policy", "id", true, TextRule.ID);
              w.text(p, "/policy", "version", false, TextRule.ID);
              w.text(p, "/policy", "rule", false, TextRule.TEXT);
            });
    attributes(w, event);
    return w.errors;
  }

  private static Optional<Decision> decision(
      Walk w, JsonNode event, boolean isDecision, boolean isLifecycle) {
    if (isLifecycle && event.has("decision")) {
      w.add(
          "/decision",
          "forbidden",
          "only a kind \"decision\" event carries a decision; remove it from a handle lifecycle event");
      return Optional.empty();
    }
    return w.text(event, "", "decision", isDecision, null)
        .flatMap(
            d -> {
              Optional<Decision> parsed = Decision.fromWire(d);
              if (parsed.isEmpty()) {
                w.add(
                    "/decision",
                    "enum",
                    "must be one of \"allow\", \"deny\", got " + Texts.quote(d));
              }
              return parsed;
            });
  }

  private static void reasonCode(
      Walk w, JsonNode event, boolean isDecision, Optional<Decision> decision) {
    w.text(event, "", "reason_code", isDecision, TextRule.REASON_CODE)
        .ifPresent(
            code -> {
              if (!ReasonCodes.FORMAT.matcher(code).matches()) {
                return; // already reported as a pattern error
              }
              Optional<Decision> polarity = ReasonCodes.polarity(code);
              if (decision.isPresent()
                  && polarity.isPresent()
                  && polarity.get() != decision.get()) {
                w.add(
                    "/reason_code",
                    "polarity",
                    code
                        + " is a known "
                        + polarity.get().wire()
                        + " code and cannot explain a decision of \""
                        + decision.get().wire()
                        + "\"; known "
                        + decision.get().wire()
                        + " codes: "
                        + String.join(
                            ", ",
                            decision.get() == Decision.ALLOW
                                ? sorted(ReasonCodes.ALLOW)
                                : sorted(ReasonCodes.DENY)));
              }
            });
  }

  private static void handle(Walk w, JsonNode event, boolean isLifecycle, boolean isRotation) {
    w.object(event, "", "handle", isLifecycle)
        .ifPresent(
            h -> {
              w.unknown(h, "/handle", HANDLE);
              w.text(h, "/handle", "id", true, TextRule.ID);
              w.text(h, "/handle", "task", false, TextRule.TEXT);
              Optional<Instant> issued = w.timestamp(h, "/handle", "issued_at", false);
              Optional<Instant> expires = w.timestamp(h, "/handle", "expires_at", false);
              if (issued.isPresent()
                  && expires.isPresent()
                  && expires.get().isBefore(issued.get())) {
                w.add(
                    "/handle/expires_at",
                    "order",
                    "is before /handle/issued_at; a handle cannot expire before it is issued");
              }
              w.text(h, "/handle", "issuer", false, TextRule.URI);
              w.text(h, "/handle", "previous_id", isRotation, TextRule.ID);
              if (h.has("scopes")) {
                JsonNode scopes = h.get("scopes");
                if (!scopes.isArray()) {
                  w.add(
                      "/handle/scopes",
                      "type",
                      "must be an array of strings, got " + kindOf(scopes));
                } else {
                  if (scopes.size() > MAX_SCOPES) {
                    w.add(
                        "/handle/scopes",
                        "max_items",
                        "has " + scopes.size() + " scopes; at most " + MAX_SCOPES + " are allowed");
                  }
                  for (int i = 0; i < scopes.size(); i++) {
                    w.check(scopes.get(i), "/handle/scopes/" + i, TextRule.ID);
                  }
                }
              }
            });
  }

  private static void actor(Walk w, JsonNode event) {
    w.object(event, "", "actor", true)
        .ifPresent(
            a -> {
              w.unknown(a, "/actor", ACTOR);
              w.text(a, "/actor", "id", true, TextRule.ID);
              w.text(a, "/actor", "type", true, null)
                  .ifPresent(
                      t -> {
                        if (ActorType.fromWire(t).isEmpty()) {
                          w.add(
                              "/actor/type",
                              "enum",
                              "must be one of \"agent\", \"user\", \"service\", got "
                                  + Texts.quote(t));
                        }
                      });
              w.text(a, "/actor", "on_behalf_of", false, TextRule.ID);
              w.text(a, "/actor", "client_id", false, TextRule.ID);
            });
  }

  private static void tool(Walk w, JsonNode event, boolean isDecision) {
    w.object(event, "", "tool", isDecision)
        .ifPresent(
            t -> {
              w.unknown(t, "/tool", TOOL);
              w.text(t, "/tool", "server", true, TextRule.ID);
              w.text(t, "/tool", "method", true, TextRule.METHOD);
              w.text(t, "/tool", "name", false, TextRule.ID);
              w.text(t, "/tool", "resource", false, TextRule.URI);
              if (!t.has("name") && !t.has("resource")) {
                w.add(
                    "/tool",
                    "required",
                    "needs \"name\" (the tool called) or \"resource\" (the resource read), or both");
              }
            });
  }

  /**
   * A source as a publisher sends it names its gateway (worker and region say where inside it). The
   * one source without a gateway is the collector's stamp alone, {@code {"authenticated": …}},
   * which it adds to an event sent without a source so the stored record still names its publisher.
   */
  private static void source(Walk w, JsonNode event) {
    w.object(event, "", "source", false)
        .ifPresent(
            s -> {
              w.unknown(s, "/source", SOURCE);
              boolean stampOnly = s.size() == 1 && s.has("authenticated");
              if (!stampOnly && !s.has("gateway")) {
                w.add(
                    "/source/gateway",
                    "required",
                    "is required when source is given: name the gateway that made the decision (worker and region say where inside it)");
              }
              for (String f : List.of("gateway", "worker", "region", "authenticated")) {
                w.text(s, "/source", f, false, TextRule.ID);
              }
            });
  }

  private static void attributes(Walk w, JsonNode event) {
    w.object(event, "", "attributes", false)
        .ifPresent(
            attrs -> {
              if (attrs.size() > MAX_ATTRIBUTES) {
                w.add(
                    "/attributes",
                    "max_items",
                    "has " + attrs.size() + " entries; at most " + MAX_ATTRIBUTES + " are allowed");
              }
              for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String ptr = "/attributes/" + escape(e.getKey());
                int keyLength = e.getKey().codePointCount(0, e.getKey().length());
                if (keyLength == 0 || keyLength > MAX_ATTRIBUTE_KEY) {
                  w.add(
                      ptr,
                      "key_length",
                      "attribute key must be 1-"
                          + MAX_ATTRIBUTE_KEY
                          + " characters, got "
                          + keyLength);
                }
                w.check(e.getValue(), ptr, TextRule.ATTRIBUTE_VALUE);
              }
            });
  }

  /** RFC 6901 escaping of one reference token. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  private static String kindOf(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    return switch (n.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String wires(EventKind[] kinds) {
    return String.join(", ", Arrays.stream(kinds).map(k -> "\"" + k.wire() + "\"").toList());
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }

  /** Collects errors while walking one event. */
  private static final class Walk {
    final List<ValidationError> errors = new ArrayList<>();

    void add(String pointer, String rule, String message) {
      errors.add(ValidationError.of(pointer, rule, message));
    }

    void unknown(JsonNode obj, String at, Set<String> allowed) {
      for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!allowed.contains(f)) {
          add(
              at + "/" + escape(f),
              "unknown",
              "unknown field; allowed here: "
                  + String.join(", ", allowed.stream().sorted().toList()));
        }
      }
    }

    Optional<JsonNode> object(JsonNode parent, String at, String field, boolean required) {
      JsonNode n = parent.get(field);
      String ptr = at + "/" + field;
      if (n == null) {
        if (required) {
          add(ptr, "required", "is required");
        }
        return Optional.empty();
      }
      if (!n.isObject()) {
        add(ptr, "type", "must be an object, got " + kindOf(n));
        return Optional.empty();
      }
      return Optional.of(n);
    }

    Optional<String> text(
        JsonNode parent, String at, String field, boolean required, TextRule rule) {
      JsonNode n = parent.get(field);
      String ptr = at + "/" + field;
      if (n == null) {
        if (required) {
          add(ptr, "required", "is required");
        }
        return Optional.empty();
      }
      return check(n, ptr, rule);
    }

    /** Type, length and character checks of one string value; the value if it is a string. */
    Optional<String> check(JsonNode n, String ptr, TextRule rule) {
      if (!n.isTextual()) {
        add(ptr, "type", "must be a string, got " + kindOf(n));
        return Optional.empty();
      }
      String s = n.textValue();
      if (rule == null) {
        return Optional.of(s);
      }
      int length = s.codePointCount(0, s.length());
      boolean emptyAllowed = rule == TextRule.ATTRIBUTE_VALUE;
      if ((length == 0 && !emptyAllowed) || length > rule.maxLength()) {
        add(ptr, "length", "has " + length + " characters; expected " + rule.describe());
      } else if (length > 0 && !rule.allowed().matches(s)) {
        add(ptr, "pattern", Texts.quote(s) + " is not allowed here; expected " + rule.describe());
      }
      return Optional.of(s);
    }

    Optional<Instant> timestamp(JsonNode parent, String at, String field, boolean required) {
      return text(parent, at, field, required, null)
          .flatMap(
              s -> {
                Optional<Instant> t = Rfc3339.parse(s);
                if (t.isEmpty()) {
                  add(
                      at + "/" + field,
                      "format",
                      Texts.quote(s)
                          + " is not an RFC 3339 timestamp; expected e.g. 2026-11-26T09:30:00.123Z or 2026-11-26T10:30:00+01:00");
                }
                return t;
              });
    }
  }
}
