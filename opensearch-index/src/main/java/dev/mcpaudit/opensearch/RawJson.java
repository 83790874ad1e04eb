package dev.mcpaudit.opensearch;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A document already written as JSON ({@link Documents}), handed to the typed client's bulk request
 * as is: the client's Jackson mapper writes it through without parsing it again.
 */
@JsonSerialize(using = RawJson.Writer.class)
public record RawJson(byte[] json) {
  static final class Writer extends StdSerializer<RawJson> {
    Writer() {
      super(RawJson.class);
    }

    @Override
    public void serialize(RawJson value, JsonGenerator g, SerializerProvider provider)
        throws IOException {
      g.writeRawValue(new String(value.json(), StandardCharsets.UTF_8));
    }
  }
}
