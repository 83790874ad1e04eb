package dev.mcpaudit.detector.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpaudit.schema.event.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** JSON with the contract's mapper, for state stores, repartition topics and the alerts topic. */
public final class JsonSerde {
  private JsonSerde() {}

  public static <T> Serde<T> of(Class<T> type) {
    ObjectMapper mapper = EventCodec.mapper();
    Serializer<T> ser =
        (topic, value) -> {
          if (value == null) {
            return null;
          }
          try {
            return mapper.writeValueAsBytes(value);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };
    Deserializer<T> de =
        (topic, bytes) -> {
          if (bytes == null) {
            return null;
          }
          try {
            return mapper.readValue(bytes, type);
          } catch (IOException e) {
            throw new UncheckedIOException(
                "not a " + type.getSimpleName() + ": " + e.getMessage(), e);
          }
        };
    return Serdes.serdeFrom(ser, de);
  }
}
