package dev.mcpaudit.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.ValidationError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example under schemas/examples is what it claims: valid, or broken in exactly one place.
 */
class ExamplesTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
  final EventCodec codec = new EventCodec(new EventValidator(CLOCK));

  /** file -> {pointer, rule} of the one error it must produce. */
  static final Map<String, List<String>> INVALID =
      Map.ofEntries(
          Map.entry("missing-event-id.json", List.of("/event_id", "required")),
          Map.entry("event-id-bad-characters.json", List.of("/event_id", "pattern")),
          Map.entry("unknown-top-level-field.json", List.of("/session_id", "unknown")),
          Map.entry("wrong-schema-version.json", List.of("/schema", "const")),
          Map.entry("unknown-kind.json", List.of("/kind", "enum")),
          Map.entry("occurred-at-without-offset.json", List.of("/occurred_at", "format")),
          Map.entry("occurred-at-far-future.json", List.of("/occurred_at", "future")),
          Map.entry("source-without-gateway.json", List.of("/source/gateway", "required")),
          Map.entry("decision-missing-reason-code.json", List.of("/reason_code", "required")),
          Map.entry("decision-value-unknown.json", List.of("/decision", "enum")),
          Map.entry("reason-code-lowercase.json", List.of("/reason_code", "pattern")),
          Map.entry("allow-with-deny-reason-code.json", List.of("/reason_code", "polarity")),
          Map.entry("deny-with-allow-reason-code.json", List.of("/reason_code", "polarity")),
          Map.entry("decision-missing-tool.json", List.of("/tool", "required")),
          Map.entry("tool-without-name-or-resource.json", List.of("/tool", "required")),
          Map.entry("actor-type-unknown.json", List.of("/actor/type", "enum")),
          Map.entry("missing-actor.json", List.of("/actor", "required")),
          Map.entry("handle-event-without-handle.json", List.of("/handle", "required")),
          Map.entry(
              "rotation-without-previous-id.json", List.of("/handle/previous_id", "required")),
          Map.entry("decision-on-handle-event.json", List.of("/decision", "forbidden")),
          Map.entry("unknown-handle-field.json", List.of("/handle/session", "unknown")),
          Map.entry("too-many-attributes.json", List.of("/attributes", "max_items")),
          Map.entry("attribute-value-too-long.json", List.of("/attributes/note", "length")),
          Map.entry("attribute-value-not-a-string.json", List.of("/attributes/retries", "type")),
          Map.entry("tenant-too-long.json", List.of("/tenant", "length")),
          Map.entry("event-over-16-kib.json", List.of("", "size")),
          Map.entry("handle-expires-before-issued.json", List.of("/handle/expires_at", "order")),
          Map.entry("latency-negative.json", List.of("/latency_us", "type")),
          Map.entry("actor-id-with-space.json", List.of("/actor/id", "pattern")),
          Map.entry("reason-with-control-characters.json", List.of("/reason", "pattern")),
          Map.entry("not-an-object.json", List.of("", "type")),
          Map.entry("malformed-json.json", List.of("", "json")),
          Map.entry("duplicate-key.json", List.of("", "json")),
          Map.entry("trailing-content.json", List.of("", "json")));

  static Stream<Path> validFiles() {
    return ExampleFiles.list("valid").stream();
  }

  static Stream<Arguments> invalidFiles() {
    return ExampleFiles.list("invalid").stream()
        .map(p -> Arguments.of(p.getFileName().toString(), p));
  }

  @ParameterizedTest
  @MethodSource("validFiles")
  void validExampleHasNoErrors(Path file) {
    List<byte[]> events = ExampleFiles.events(file);
    assertThat(events).isNotEmpty();
    for (byte[] event : events) {
      assertThat(codec.decode(event).errors()).as(file.toString()).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void invalidExampleBreaksExactlyTheRuleItIsNamedFor(String name, Path file) throws Exception {
    assertThat(INVALID).as("expected error of " + name + " is listed in INVALID").containsKey(name);
    List<ValidationError> errors = codec.decode(Files.readAllBytes(file)).errors();
    assertThat(errors).as(name).hasSize(1);
    assertThat(List.of(errors.get(0).pointer(), errors.get(0).rule()))
        .as(name)
        .isEqualTo(INVALID.get(name));
    assertThat(errors.get(0).message()).as(name).isNotBlank().doesNotContain("Exception");
  }

  @Test
  void examplesCoverEveryKindAndEnoughBrokenRules() {
    assertThat(ExampleFiles.list("invalid")).hasSameSizeAs(INVALID.keySet());
    List<String> kinds =
        validFiles()
            .flatMap(f -> ExampleFiles.events(f).stream())
            .map(b -> codec.decode(b).event().kind().wire())
            .distinct()
            .sorted()
            .toList();
    assertThat(kinds)
        .containsExactly(
            "decision", "handle.expired", "handle.issued", "handle.revoked", "handle.rotated");
    assertThat(ExampleFiles.list("valid").size() + ExampleFiles.list("invalid").size())
        .isGreaterThanOrEqualTo(25);
  }
}
