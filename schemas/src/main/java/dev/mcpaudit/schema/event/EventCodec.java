package dev.mcpaudit.schema.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.mcpaudit.schema.validation.EventValidator;
import dev.mcpaudit.schema.validation.InvalidEventException;
import dev.mcpaudit.schema.validation.ValidationError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * Canonical JSON for contract v1: snake_case, nulls omitted, timestamps as RFC 3339 UTC, attributes
 * sorted. {@link #decode} is the one way bytes from outside become an {@link AuthzEvent}: parse
 * strictly (duplicate keys are an error, since two parsers could read two different events from
 * them), validate, then bind.
 */
public final class EventCodec {
  private static final ObjectMapper MAPPER = newMapper();
  private static final ValidationError EMPTY =
      ValidationError.of("", "type", "body is empty; expected a JSON object");

  private final EventValidator validator;

  public EventCodec(EventValidator validator) {
    this.validator = validator;
  }

  /** The shared mapper configured for the contract (thread-safe; do not reconfigure). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Parses, validates and binds one event; never throws for bad input, it reports it. */
  public Decoded decode(byte[] bytes) {
    Checked c = checkTree(bytes);
    return c.isValid() ? bind(c.node()) : Decoded.failed(c.errors());
  }

  /** Every error of an event, without binding it: for tools that only check (about 2x faster). */
  public List<ValidationError> check(byte[] bytes) {
    return checkTree(bytes).errors();
  }

  /**
   * A parsed event and every error of it, without binding it: for a reader that needs a few fields
   * of a valid event, not all of them.
   */
  public record Checked(JsonNode node, List<ValidationError> errors) {
    public boolean isValid() {
      return errors.isEmpty();
    }
  }

  /** Parses and validates one event; {@code node} is null when it did not parse. */
  public Checked checkTree(byte[] bytes) {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      return new Checked(null, List.of(ValidationError.malformed(e)));
    }
    if (node == null || node.isMissingNode()) {
      return new Checked(null, List.of(EMPTY));
    }
    return new Checked(node, validator.validate(node, bytes.length));
  }

  /** Every error of an already parsed event of {@code serializedSize} bytes, without binding it. */
  public List<ValidationError> check(JsonNode node, int serializedSize) {
    return validator.validate(node, serializedSize);
  }

  /** Validates and binds an already parsed event of {@code serializedSize} bytes. */
  public Decoded decode(JsonNode node, int serializedSize) {
    List<ValidationError> errors = validator.validate(node, serializedSize);
    return errors.isEmpty() ? bind(node) : Decoded.failed(errors);
  }

  /** Binds an event the validator has passed. */
  private static Decoded bind(JsonNode node) {
    try {
      return Decoded.ok(MAPPER.treeToValue(node, AuthzEvent.class));
    } catch (JsonProcessingException e) {
      // The validator accepted something the binder did not: a contract bug, reported as data.
      return Decoded.failed(List.of(ValidationError.of("", "bind", e.getOriginalMessage())));
    }
  }

  /** Like {@link #decode(byte[])} but throws {@link InvalidEventException} with all errors. */
  public AuthzEvent decodeOrThrow(byte[] bytes) {
    Decoded d = decode(bytes);
    if (!d.isValid()) {
      throw new InvalidEventException(d.errors());
    }
    return d.event();
  }

  public static byte[] encode(AuthzEvent event) {
    try {
      return MAPPER.writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String encodeToString(AuthzEvent event) {
    try {
      return MAPPER.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The result of decoding: an event, or every error found in it. */
  public record Decoded(AuthzEvent event, List<ValidationError> errors) {
    public Decoded {
      errors = List.copyOf(errors);
    }

    static Decoded ok(AuthzEvent event) {
      return new Decoded(event, List.of());
    }

    static Decoded failed(List<ValidationError> errors) {
      return new Decoded(null, errors);
    }

    public boolean isValid() {
      return event != null;
    }
  }

  private static ObjectMapper newMapper() {
    SimpleModule time = new SimpleModule("rfc3339");
    time.addSerializer(Instant.class, new InstantSerializer());
    time.addDeserializer(Instant.class, new InstantDeserializer());
    return JsonMapper.builder()
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        // One event is one JSON value: "{...} {...}" must not pass as its first half (the rest
        // would be stored unseen and come back out of an export).
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
        .addModule(time)
        .build();
  }

  private static final class InstantSerializer extends JsonSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers)
        throws IOException {
      gen.writeString(Rfc3339.format(value));
    }
  }

  private static final class InstantDeserializer extends JsonDeserializer<Instant> {
    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      return Rfc3339.parse(text)
          .orElseThrow(
              () -> ctxt.weirdStringException(text, Instant.class, "not an RFC 3339 timestamp"));
    }
  }
}
