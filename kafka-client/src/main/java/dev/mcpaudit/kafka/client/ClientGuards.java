package dev.mcpaudit.kafka.client;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The client properties a passthrough may not set. Some carry mcp-audit's guarantees (no event is
 * acknowledged before it is replicated, none is read before its transaction commits, the detector
 * counts each event once); others name things each client sets for itself (group, transactional id,
 * serializers). Either way a configuration that sets one differently is refused at start.
 */
final class ClientGuards {
  /** Property → the only value allowed, and why. */
  private static final Map<String, Rule> FIXED =
      Map.of(
          "acks",
          new Rule(Set.of("all", "-1"), "all", "an event is acknowledged only once replicated"),
          "enable.idempotence",
          new Rule(Set.of("true"), "true", "a retried send must not write an event twice"),
          "isolation.level",
          new Rule(
              Set.of("read_committed"),
              "read_committed",
              "nothing is read before its transaction commits"),
          "enable.auto.commit",
          new Rule(Set.of("false"), "false", "offsets are committed only after the work is done"),
          "processing.guarantee",
          new Rule(
              Set.of("exactly_once_v2"),
              "exactly_once_v2",
              "the detector counts each event exactly once"));

  /** Set by each client for itself: a shared value would be wrong for every other client. */
  private static final Set<String> OWNED =
      Set.of(
          "bootstrap.servers",
          "client.id",
          "group.id",
          "group.instance.id",
          "transactional.id",
          "application.id",
          "auto.offset.reset",
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer",
          "state.dir");

  private ClientGuards() {}

  /** Why {@code name=value} is refused, or null when it is allowed. */
  static String refusal(String name, String value) {
    if (name.equals("bootstrap.servers")) {
      return "set kafka.bootstrap-servers instead";
    }
    if (OWNED.contains(name)) {
      return "is set by mcp-audit for each of its clients and cannot be passed through";
    }
    Rule rule = FIXED.get(name);
    if (rule != null && !rule.allowed().contains(value.toLowerCase(Locale.ROOT))) {
      return "must stay "
          + rule.required()
          + " ("
          + rule.why()
          + "); mcp-audit sets it and refuses a weaker value";
    }
    return null;
  }

  /** Whether code (not configuration) must leave {@code name} to the factory. */
  static boolean ownedByFactory(String name) {
    return FIXED.containsKey(name) || name.equals("bootstrap.servers") || name.equals("client.id");
  }

  private record Rule(Set<String> allowed, String required, String why) {}
}
