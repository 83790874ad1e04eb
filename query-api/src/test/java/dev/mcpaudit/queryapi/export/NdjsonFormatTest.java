package dev.mcpaudit.queryapi.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mcpaudit.schema.event.AuthzEvent;
import dev.mcpaudit.schema.event.EventCodec;
import dev.mcpaudit.testkit.SyntheticEvents;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** NDJSON copies the stored bytes, one event per line whatever its stored layout. */
class NdjsonFormatTest {
  @Test
  void anEventStoredPrettyPrintedIsStillOneNdjsonLine() throws Exception {
    AuthzEvent e = new SyntheticEvents(31, Instant.parse("2026-11-01T00:00:00Z")).next();
    byte[] pretty =
        EventCodec.mapper()
            .writerWithDefaultPrettyPrinter()
            .writeValueAsBytes(EventCodec.mapper().readTree(EventCodec.encode(e)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new NdjsonFormat().writeStored(pretty, null, out);
    String line = out.toString(StandardCharsets.UTF_8);
    assertThat(line).endsWith("\n").hasLineCount(1);
    assertThat(EventCodec.mapper().readTree(line)).isEqualTo(EventCodec.mapper().readTree(pretty));
  }
}
