package dev.mcpaudit.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.Decision;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.event.EventKind;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.InvalidEventException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecTest {
  final EventCodec codec = new EventCodec(new EventValidator(ExamplesTest.CLOCK));

  static Stream<Path> validFiles() {
    return ExampleFiles.list("valid").stream();
  }

  @ParameterizedTest
  @MethodSource("validFiles")
  void roundTripsWithoutLoss(Path file) throws Exception {
    for (byte[] bytes : ExampleFiles.events(file)) {
      AuthzEvent event = codec.decodeOrThrow(bytes);
      byte[] canonical = EventCodec.encode(event);
      AuthzEvent again = codec.decodeOrThrow(canonical);

      assertThat(again).isEqualTo(event);
      assertThat(EventCodec.encode(again)).isEqualTo(canonical);
      // Same content as the input, field for field (timestamps compared as instants).
      JsonNode in = EventCodec.mapper().readTree(bytes);
      JsonNode out = EventCodec.mapper().readTree(canonical);
      assertThat(fieldNames(out)).isEqualTo(fieldNames(in));
    }
  }

  @Test
  void canonicalFormIsUtcSnakeCaseWithoutNulls() {
    String json =
        """
        {"schema":"mcp.authz/v1","event_id":"e-9","kind":"handle.issued","occurred_at":"2026-11-20T16:03:27.5+02:00",
         "tenant":"acme","handle":{"id":"h-1","expires_at":"2026-11-20t15:00:00z"},
         "actor":{"on_behalf_of":"alice","id":"agent-1","type":"agent"},
         "attributes":{"zeta":"1","alpha":"2"}}
        """;
    AuthzEvent e = codec.decodeOrThrow(json.getBytes(StandardCharsets.UTF_8));
    assertThat(e.kind()).isEqualTo(EventKind.HANDLE_ISSUED);
    assertThat(e.occurredAt()).isEqualTo(Instant.parse("2026-11-20T14:03:27.500Z"));
    assertThat(EventCodec.encodeToString(e))
        .isEqualTo(
            "{\"schema\":\"mcp.authz/v1\",\"event_id\":\"e-9\",\"kind\":\"handle.issued\","
                + "\"occurred_at\":\"2026-11-20T14:03:27.500Z\",\"tenant\":\"acme\","
                + "\"handle\":{\"id\":\"h-1\",\"expires_at\":\"2026-11-20T15:00:00Z\"},"
                + "\"actor\":{\"id\":\"agent-1\",\"type\":\"agent\",\"on_behalf_of\":\"alice\"},"
                + "\"attributes\":{\"alpha\":\"2\",\"zeta\":\"1\"}}");
  }

  @Test
  void collectorStampOverwritesWhatThePublisherClaimed() {
    String json =
        """
        {"schema":"mcp.authz/v1","event_id":"e-1","kind":"decision","occurred_at":"2026-11-20T14:00:00Z",
         "received_at":"2020-01-01T00:00:00Z","tenant":"acme","decision":"deny","reason_code":"POLICY_DENY",
         "actor":{"id":"agent-1","type":"agent"},"tool":{"server":"s","name":"t","method":"tools/call"},
         "source":{"gateway":"gw-1","authenticated":"someone-else"}}
        """;
    AuthzEvent stamped =
        codec
            .decodeOrThrow(json.getBytes(StandardCharsets.UTF_8))
            .stampedByCollector(Instant.parse("2026-11-20T14:00:01Z"), "source:gw-1");
    assertThat(stamped.decision()).isEqualTo(Decision.DENY);
    assertThat(stamped.receivedAt()).isEqualTo(Instant.parse("2026-11-20T14:00:01Z"));
    assertThat(stamped.source().authenticated()).isEqualTo("source:gw-1");
    assertThat(stamped.source().gateway()).isEqualTo("gw-1");
    assertThat(stamped.partitionKey()).isEqualTo("agent-1");
  }

  @Test
  void decodeOrThrowCarriesEveryError() {
    assertThatThrownBy(
            () -> codec.decodeOrThrow("{\"schema\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(InvalidEventException.class)
        .satisfies(ex -> assertThat(((InvalidEventException) ex).errors()).hasSizeGreaterThan(3))
        .hasMessageContaining("/event_id: is required");
  }

  private static java.util.Set<String> fieldNames(JsonNode node) {
    java.util.Set<String> names = new java.util.TreeSet<>();
    collect(node, "", names);
    return names;
  }

  private static void collect(JsonNode node, String at, java.util.Set<String> names) {
    node.fieldNames()
        .forEachRemaining(
            f -> {
              names.add(at + "/" + f);
              if (node.get(f).isObject()) {
                collect(node.get(f), at + "/" + f, names);
              }
            });
  }
}
