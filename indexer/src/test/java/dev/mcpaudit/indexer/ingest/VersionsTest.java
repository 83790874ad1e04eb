package dev.mcpaudit.indexer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mcpaudit.schema.event.EventCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VersionsTest {
  static final String FIRST =
      "{\"event_id\":\"e-1\",\"tenant\":\"acme\",\"decision\":\"deny\",\"reason_code\":\"POLICY_DENY\","
          + "\"received_at\":\"2026-11-26T12:00:01Z\",\"source\":{\"gateway\":\"gw-1\",\"worker\":\"w-1\"},\"attributes\":{\"a/b\":\"1\"}}";

  static JsonNode tree(String json) throws Exception {
    return EventCodec.mapper().readTree(json);
  }

  static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void keyOrderWhitespaceAndTheReceiveStampAreNotContent() throws Exception {
    String again =
        """
        { "attributes": {"a/b": "1"}, "source": {"worker": "w-1", "gateway": "gw-1"},
          "received_at": "2026-11-26T12:09:00Z", "reason_code": "POLICY_DENY", "decision": "deny",
          "tenant": "acme", "event_id": "e-1" }
        """;
    assertThat(Versions.differences(Versions.parse(bytes(FIRST)), tree(again))).isEmpty();
  }

  @Test
  void everyDifferingFieldIsNamedByItsPointer() throws Exception {
    String other =
        FIRST
            .replace("\"deny\"", "\"allow\"")
            .replace("POLICY_DENY", "ALLOWED")
            .replace("\"w-1\"", "\"w-2\"")
            .replace("\"1\"}", "\"2\"}")
            .replace(",\"tenant\"", ",\"reason\":\"new\",\"tenant\"");
    assertThat(Versions.differences(Versions.parse(bytes(FIRST)), tree(other)))
        .containsExactly(
            "/attributes/a~1b", "/decision", "/reason", "/reason_code", "/source/worker");
    // A field dropped is a difference too.
    String dropped = FIRST.replace(",\"source\":{\"gateway\":\"gw-1\",\"worker\":\"w-1\"}", "");
    assertThat(Versions.differences(Versions.parse(bytes(FIRST)), tree(dropped)))
        .containsExactly("/source");
  }
}
